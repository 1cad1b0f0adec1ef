/** The overlay's CSS, scoped by its shadow root so the game's styles and ours never mix. */
export const DEVTOOLS_CSS = `
:host { all: initial; }
.panel { position: fixed; z-index: 2147483000; max-width: calc(100vw - 16px); max-height: calc(100vh - 16px); overflow: auto;
  background: #0f1629eb; color: #e8ecf5; border: 1px solid #2a3a5e; border-radius: 10px; padding: 8px 10px;
  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 6px 24px #0008; }
.panel[hidden] { display: none; }
.top-left { top: 8px; left: 8px; } .top-right { top: 8px; right: 8px; }
.bottom-left { bottom: 8px; left: 8px; } .bottom-right { bottom: 8px; right: 8px; }
.title { font: 700 12.5px system-ui, sans-serif; display: flex; gap: 8px; align-items: baseline; }
.title .grow { flex: 1; }
.muted { color: #93a0bd; }
.bad { color: #ff7b7b; }
.ok { color: #7bd88f; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { padding: 1px 7px 1px 0; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { color: #93a0bd; font-weight: 500; }
.swatch { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 4px; }
canvas { display: block; width: 100%; max-width: 360px; height: 72px; margin: 2px 0 4px; }
.slider { display: grid; grid-template-columns: 56px 1fr 52px; gap: 6px; align-items: center; }
.slider output { text-align: right; }
input[type=range] { accent-color: #4f8cff; margin: 0; }
button { font: inherit; color: inherit; background: #26324f; border: 0; border-radius: 6px; padding: 2px 8px; cursor: pointer; }
button:hover { filter: brightness(1.15); }
.row { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 4px; }
@media (max-width: 720px) { .wide { display: none; } }
h4 { margin: 6px 0 2px; font: 600 11.5px system-ui, sans-serif; color: #93a0bd; }
`;
