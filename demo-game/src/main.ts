/** The hostmesh demo: a small Phaser 4 arena game on the public SDK API. */
import { DemoApp } from './app.js';
import { installDebugHook } from './debug-hook.js';
import { ArenaGame } from './scenes/game.js';
import { byId } from './ui/dom.js';

const app = new DemoApp(byId('overlay'), new ArenaGame(byId('game')));
installDebugHook(app);
const code = new URLSearchParams(location.search).get('join');
app.showMenu(undefined, code ?? undefined);
if (code) void app.join(code); // an invite link joins at once: name from last time or a random one
// Closing or reloading the tab: a host hands the game over (leave: the next player hosts at once);
// a player keeps its seat for the grace, so a reload takes it back (its resume token is in
// sessionStorage and the URL keeps ?join=CODE).
window.addEventListener('pagehide', () => { if (app.session?.isHost) app.leave(); });
