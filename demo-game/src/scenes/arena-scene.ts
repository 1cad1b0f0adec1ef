/**
 * The arena, drawn from whatever the session says the world is right now: avatars (ours
 * predicted, others interpolated on clients), pickups, and a little "+1" when one is taken.
 * The scene decides nothing: movement goes out as inputs, the host's state comes back.
 */
import Phaser from 'phaser';
import type { ArenaView } from '../net/arena-view.js';
import { ARENA, asPickup, asPlayer, PICKUP_RADIUS, type PickupEntity } from '../sim/arena.js';
import { Avatar } from './avatar.js';
import { Controls } from './controls.js';

/** Registry key under which the game puts the ArenaView to draw (none: an empty arena). */
export const VIEW_KEY = 'arenaView';

/** Renders one session's arena and reads the local player's controls. */
export class ArenaScene extends Phaser.Scene {
  private view: ArenaView | undefined;
  private controls: Controls | undefined;
  private avatars = new Map<string, Avatar>();
  private pickups = new Map<string, { shape: Phaser.GameObjects.Shape; pickup: PickupEntity }>();

  constructor() {
    super('arena');
  }

  create(): void {
    this.drawFloor();
    this.controls = new Controls(this);
  }

  override update(_time: number, deltaMs: number): void {
    const view = this.registry.get(VIEW_KEY) as ArenaView | undefined;
    if (view !== this.view) this.reset(view);
    if (!view || !this.controls) return;
    view.move(this.controls.direction(), deltaMs);
    if (this.controls.tagPressed()) view.tag();
    const state = view.state();
    const seen = new Set<string>();
    for (const [id, e] of Object.entries(state)) {
      const p = asPlayer(e);
      if (p) {
        seen.add(id);
        let a = this.avatars.get(id);
        if (!a) this.avatars.set(id, (a = new Avatar(this, id === view.selfId, id === view.hostId)));
        a.update(p);
        continue;
      }
      const k = asPickup(e);
      if (k) {
        seen.add(id);
        if (!this.pickups.has(id)) this.pickups.set(id, { shape: this.addPickup(k), pickup: k });
      }
    }
    for (const [id, a] of this.avatars) if (!seen.has(id)) { a.destroy(); this.avatars.delete(id); }
    for (const [id, k] of this.pickups) if (!seen.has(id)) { this.collected(k.shape, k.pickup); this.pickups.delete(id); }
  }

  private reset(view: ArenaView | undefined): void {
    this.view = view;
    for (const a of this.avatars.values()) a.destroy();
    for (const k of this.pickups.values()) { this.tweens.killTweensOf(k.shape); k.shape.destroy(); }
    this.avatars.clear();
    this.pickups.clear();
  }

  private addPickup(k: PickupEntity): Phaser.GameObjects.Shape {
    const shape = k.value > 1
      ? this.add.star(k.x, k.y, 5, PICKUP_RADIUS * 0.6, PICKUP_RADIUS * 1.5, 0x7df9ff).setStrokeStyle(2, 0xffffff, 0.8)
      : this.add.circle(k.x, k.y, PICKUP_RADIUS, 0xffcf3f).setStrokeStyle(3, 0xfff4c2, 0.9);
    shape.setDepth(5).setScale(0);
    this.tweens.add({ targets: shape, scale: 1, duration: 250, ease: 'Back.easeOut' });
    this.tweens.add({ targets: shape, angle: 360, duration: 4000, repeat: -1 });
    return shape;
  }

  private collected(shape: Phaser.GameObjects.Shape, k: PickupEntity): void {
    this.tweens.killTweensOf(shape);
    shape.destroy();
    const text = this.add.text(k.x, k.y - 10, `+${k.value}`, {
      fontFamily: 'system-ui, sans-serif', fontSize: '18px', fontStyle: 'bold', color: k.value > 1 ? '#7df9ff' : '#ffcf3f',
    }).setOrigin(0.5).setStroke('#0b1020', 4).setDepth(30);
    this.tweens.add({ targets: text, y: k.y - 44, alpha: 0, duration: 700, onComplete: () => text.destroy() });
  }

  private drawFloor(): void {
    const g = this.add.graphics().setDepth(0);
    g.fillStyle(0x121a2d, 1).fillRect(0, 0, ARENA.width, ARENA.height);
    g.lineStyle(1, 0x1e2a45, 1);
    for (let x = 40; x < ARENA.width; x += 40) g.lineBetween(x, 0, x, ARENA.height);
    for (let y = 40; y < ARENA.height; y += 40) g.lineBetween(0, y, ARENA.width, y);
    g.lineStyle(2, 0x2c3d63, 1).strokeCircle(ARENA.width / 2, ARENA.height / 2, 120);
    g.lineStyle(6, 0x3b82f6, 0.7).strokeRoundedRect(3, 3, ARENA.width - 6, ARENA.height - 6, 14);
  }
}
