/**
 * `window.__hostmeshDemo`: a read-only window on the demo for end-to-end tests and curious
 * developers (open the console and look at `__hostmeshDemo.world()`).
 */
import type { ConditionerSettings, State } from 'hostmesh';
import type { DemoApp, Screen } from './app.js';

/** What the hook exposes. */
export interface DemoDebug {
  screen(): Screen;
  code(): string | undefined;
  selfId(): string | undefined;
  hostId(): string | undefined;
  isHost(): boolean;
  /** Player names in the session. */
  players(): string[];
  /** The state the host decided (host: its own; client: the newest snapshot). */
  world(): State;
  /** What this page draws now (client: interpolated, own avatar predicted). */
  view(): State;
  /** Code of the last error shown on the menu. */
  lastError(): string | undefined;
  /** The link conditioner's settings (what the devtools sliders set). */
  conditioner(): ConditionerSettings;
  /** Ids of the players whose voice is live (what the talking markers show). */
  talking(): string[];
}

/** Installs `window.__hostmeshDemo` for `app`. */
export function installDebugHook(app: DemoApp): void {
  const live = () => (app.session && !app.session.isClosed ? app.session : undefined);
  const hook: DemoDebug = {
    screen: () => app.screen,
    code: () => live()?.code,
    selfId: () => live()?.selfId,
    hostId: () => live()?.hostId,
    isHost: () => live()?.isHost ?? false,
    players: () => [...(live()?.players.values() ?? [])].map((p) => p.name),
    world: () => app.world(),
    view: () => live()?.getState() ?? {},
    lastError: () => app.lastError?.code,
    conditioner: () => ({ ...app.net.conditioner.settings }),
    talking: () => [...(live()?.voice.talking ?? [])],
  };
  (window as unknown as { __hostmeshDemo: DemoDebug }).__hostmeshDemo = hook;
}
