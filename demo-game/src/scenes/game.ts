/** The Phaser game: one canvas for the page's lifetime, drawing whichever session is current. */
import Phaser from 'phaser';
import type { ArenaView } from '../net/arena-view.js';
import { ARENA } from '../sim/arena.js';
import { ArenaScene, VIEW_KEY } from './arena-scene.js';

/** The arena canvas; `show` a session's view, `hide` for an empty arena. */
export class ArenaGame {
  private readonly game: Phaser.Game;
  private shown = false;

  constructor(parent: HTMLElement) {
    this.game = new Phaser.Game({
      type: Phaser.AUTO,
      parent,
      width: ARENA.width,
      height: ARENA.height,
      backgroundColor: '#0b1020',
      banner: false,
      scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
      scene: [ArenaScene],
    });
    this.game.pause(); // nothing to draw behind the menu: no frames, no CPU
  }

  /** Draws `view`'s arena from the next frame on. */
  show(view: ArenaView): void {
    this.shown = true;
    this.game.registry.set(VIEW_KEY, view);
    this.game.resume();
  }

  /** Shows an empty arena, then stops rendering (the menu covers it). */
  hide(): void {
    this.shown = false;
    this.game.registry.set(VIEW_KEY, undefined);
    setTimeout(() => { if (!this.shown) this.game.pause(); }, 250); // after a frame has cleared the arena
  }
}
