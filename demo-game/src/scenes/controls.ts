/**
 * Player controls: WASD or arrow keys, and a touch (or mouse-drag) stick anywhere on the
 * arena. Both give one direction of length ≤ 1; the stick's base is drawn where the finger
 * went down.
 */
import Phaser from 'phaser';
import type { MoveInput } from '../sim/movement.js';

type KeyName = 'W' | 'A' | 'S' | 'D' | 'UP' | 'DOWN' | 'LEFT' | 'RIGHT';

/** Stick travel that counts as full speed, world px. */
const STICK_RANGE = 56;

/** Reads keyboard and touch into a movement direction. */
export class Controls {
  private readonly keys: Record<KeyName, Phaser.Input.Keyboard.Key> | undefined;
  private readonly stick: Phaser.GameObjects.Graphics;
  private origin: { x: number; y: number } | undefined;
  private drag = { x: 0, y: 0 };
  private readonly tagKey: Phaser.Input.Keyboard.Key | undefined;
  private tagWasDown = false;

  constructor(scene: Phaser.Scene) {
    // No key capture: the page's forms keep receiving W/A/S/D when the arena is not in play.
    this.keys = scene.input.keyboard?.addKeys('W,A,S,D,UP,DOWN,LEFT,RIGHT', false) as Record<KeyName, Phaser.Input.Keyboard.Key> | undefined;
    this.tagKey = scene.input.keyboard?.addKey('SPACE', false);
    this.stick = scene.add.graphics().setDepth(50);
    scene.input.on('pointerdown', (p: Phaser.Input.Pointer) => { this.origin = { x: p.worldX, y: p.worldY }; this.drag = { x: 0, y: 0 }; });
    scene.input.on('pointermove', (p: Phaser.Input.Pointer) => {
      if (!this.origin || !p.isDown) return;
      this.drag = { x: p.worldX - this.origin.x, y: p.worldY - this.origin.y };
    });
    const release = () => { this.origin = undefined; this.drag = { x: 0, y: 0 }; };
    scene.input.on('pointerup', release);
    scene.input.on('pointerupoutside', release);
  }

  /** The current direction (length ≤ 1); redraws the touch stick. */
  direction(): MoveInput {
    this.drawStick();
    if (this.origin) {
      const len = Math.hypot(this.drag.x, this.drag.y);
      if (len > 6) {
        const k = Math.min(1, len / STICK_RANGE) / len;
        return { x: this.drag.x * k, y: this.drag.y * k };
      }
    }
    const k = this.keys;
    if (!k) return { x: 0, y: 0 };
    const x = (k.D.isDown || k.RIGHT.isDown ? 1 : 0) - (k.A.isDown || k.LEFT.isDown ? 1 : 0);
    const y = (k.S.isDown || k.DOWN.isDown ? 1 : 0) - (k.W.isDown || k.UP.isDown ? 1 : 0);
    return x !== 0 && y !== 0 ? { x: x * Math.SQRT1_2, y: y * Math.SQRT1_2 } : { x, y };
  }

  /** True once per press of Space (tag). */
  tagPressed(): boolean {
    const down = this.tagKey?.isDown ?? false;
    const pressed = down && !this.tagWasDown;
    this.tagWasDown = down;
    return pressed;
  }

  private drawStick(): void {
    const g = this.stick.clear();
    if (!this.origin) return;
    const len = Math.hypot(this.drag.x, this.drag.y);
    const k = len > STICK_RANGE ? STICK_RANGE / len : 1;
    g.lineStyle(3, 0xffffff, 0.35).strokeCircle(this.origin.x, this.origin.y, STICK_RANGE);
    g.fillStyle(0xffffff, 0.35).fillCircle(this.origin.x + this.drag.x * k, this.origin.y + this.drag.y * k, 22);
  }
}
