/**
 * The demo's flow: menu → host or join → lobby (invite panel) → play → back to the menu.
 * Every failure (unknown code, full lobby, wrong password, server down, host gone) comes
 * back here and is shown on the menu. The game phase is part of the replicated state, so
 * clients (late joiners included) follow the host's "Start" without extra messages. When the
 * host leaves or crashes, the session carries on at the next player (`hostChange`): that page
 * starts the host loop from the newest state and checkpoint, and every page redraws its crowns.
 */
import { connect, HostmeshError, type Hostmesh, type HostSession, type Session, type State } from 'hostmesh';
import { arenaView } from './net/arena-view.js';
import { startHostLoop, type HostLoop } from './net/host-loop.js';
import type { ArenaGame } from './scenes/game.js';
import { phaseOf } from './sim/arena.js';
import { describeClose, describeError, type ShownError } from './ui/errors.js';
import { showInvite } from './ui/invite-panel.js';
import { showMenu, type HostChoice, type MenuHandle } from './ui/menu.js';
import { showPlayHud } from './ui/play-hud.js';
import { PlayerName } from './ui/player-name.js';
import { ask } from './ui/prompt.js';

/** Which screen is up. */
export type Screen = 'menu' | 'lobby' | 'play';

/** The page's controller: owns the SDK connection and at most one session. */
export class DemoApp {
  /** The SDK connection to the server this page came from. */
  readonly net: Hostmesh = connect(location.origin);
  /** The current screen. */
  screen: Screen = 'menu';
  /** The current session, if any. */
  session: Session | undefined;
  /** The last error shown. */
  lastError: ShownError | undefined;
  private hostLoop: HostLoop | undefined;
  private menu: MenuHandle | undefined;
  private layer: (() => void) | undefined;
  private invite: (() => void) | undefined;
  private disposers: (() => void)[] = [];
  private readonly name = new PlayerName();

  constructor(private readonly overlay: HTMLElement, private readonly arena: ArenaGame) {}

  /** Shows the menu, with `error` on top and `code` in the join box. */
  showMenu(error?: ShownError, code?: string): void {
    this.screen = 'menu';
    this.lastError = error;
    this.menu = showMenu(this.overlay, {
      host: (c) => void this.host(c),
      join: (c) => void this.join(c),
      lobbies: () => this.net.lobbies(),
      rename: (n) => this.name.set(n),
    }, { playerName: this.name.value, error, ...(code === undefined ? {} : { code }) });
  }

  /** Creates a lobby and enters it as host. */
  async host(choice: HostChoice): Promise<void> {
    this.menu?.busy('Creating a lobby…');
    try {
      const session = await this.net.host({
        name: choice.lobbyName, maxPlayers: choice.maxPlayers, public: choice.isPublic, playerName: this.name.value,
        tickRateHz: 30, reconnectGraceMs: 15_000, ...(choice.password === undefined ? {} : { password: choice.password }),
      });
      this.enter(session, startHostLoop(session));
    } catch (err) {
      this.showMenu(describeError(err));
    }
  }

  /** Joins lobby `code`; asks for the password only when the lobby turns us away for lack of it. */
  async join(code: string, password?: string): Promise<void> {
    this.menu?.busy(`Joining ${code.trim().toUpperCase()}…`);
    try {
      this.enter(await this.net.join(code, { playerName: this.name.value, ...(password === undefined ? {} : { password }) }));
    } catch (err) {
      if (err instanceof HostmeshError && err.code === 'BAD_PASSWORD') {
        const again = await ask(this.overlay, {
          title: password === undefined ? 'Password needed' : 'Wrong password',
          message: password === undefined ? 'This lobby has a password. Ask the host for it.' : 'That password did not work. Try again.',
          type: 'password', ok: 'Join',
        });
        if (again !== undefined) return this.join(code, again);
        return this.showMenu(undefined, code); // cancelled: no error, the code stays in the box
      }
      this.showMenu(describeError(err), code);
    }
  }

  /** Leaves the current session (the menu comes back once it closed). */
  leave(): void {
    void this.session?.leave();
  }

  /** The state the host decided (host: its own; client: the newest snapshot). */
  world(): State {
    return this.session && !this.session.isClosed ? this.session.latestState() : {};
  }

  private enter(session: Session, hostLoop?: HostLoop): void {
    this.session = session;
    this.hostLoop = hostLoop;
    this.menu = undefined;
    this.overlay.replaceChildren();
    this.screen = 'menu'; // syncPhase picks lobby or play
    this.arena.show(arenaView(session));
    // A reload of this tab rejoins the lobby, and the SDK takes the held seat back.
    history.replaceState(null, '', `${location.pathname}?join=${encodeURIComponent(session.code)}`);
    const phaseTimer = setInterval(() => this.syncPhase(), 100);
    this.disposers.push(() => clearInterval(phaseTimer), session.on('close', (reason, err) => this.exit(describeClose(reason, err))),
      session.on('hostChange', () => this.hostChanged(session)));
    this.syncPhase();
  }

  /** The host changed: we may be it now (carry the game on), and every crown moves. */
  private hostChanged(session: Session): void {
    if (session !== this.session || session.isClosed) return;
    if (session.isHost && !this.hostLoop) this.hostLoop = startHostLoop(session as HostSession, { state: session.latestState(), checkpoint: session.checkpoint });
    this.arena.show(arenaView(session, false));
    // The play overlay follows the role by itself; the lobby panel (the host's Start) is rebuilt.
    if (this.screen !== 'lobby') return;
    this.layer?.();
    this.layer = undefined;
    this.screen = 'menu';
    this.syncPhase();
  }

  private syncPhase(): void {
    const s = this.session;
    if (!s || s.isClosed) return;
    const want: Screen = phaseOf(s.latestState()) === 'play' ? 'play' : 'lobby';
    if (want === this.screen) return;
    this.layer?.();
    this.invite?.();
    this.invite = undefined;
    this.screen = want;
    const leave = () => this.leave();
    const loop = this.hostLoop;
    if (want === 'lobby') {
      this.layer = showInvite(this.overlay, s, { leave, ...(loop ? { start: (late: boolean) => { loop.start(late); this.syncPhase(); } } : {}) });
    } else {
      this.layer = showPlayHud(this.overlay, s, this.net, { leave, invite: () => this.toggleInvite() });
    }
  }

  private toggleInvite(): void {
    if (this.invite) { this.invite(); this.invite = undefined; return; }
    if (!this.session) return;
    const loop = this.hostLoop;
    this.invite = showInvite(this.overlay, this.session, {
      leave: () => this.leave(), close: () => this.toggleInvite(),
      ...(loop ? { lateJoin: { allowed: loop.game.lateJoin, set: (allowed: boolean) => loop.setLateJoin(allowed) } } : {}),
    });
  }

  private exit(error: ShownError | undefined): void {
    for (const d of this.disposers.splice(0)) d();
    this.layer?.();
    this.invite?.();
    this.layer = this.invite = undefined;
    this.hostLoop?.stop();
    this.hostLoop = this.session = undefined;
    this.arena.hide();
    if (location.search) history.replaceState(null, '', location.pathname);
    this.showMenu(error);
  }
}
