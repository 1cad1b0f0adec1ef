/**
 * A player's avatar: a coloured disc with a facing notch, the name above (below near the top
 * wall, shifted inwards near the side walls so it is never cut), a crown on the host, and a
 * green ring and a "talking" mark while the player's voice is live (push-to-talk).
 */
import Phaser from 'phaser';
import { ARENA, PLAYER_RADIUS, type PlayerEntity } from '../sim/arena.js';

/** Draws one player. */
export class Avatar {
  private readonly root: Phaser.GameObjects.Container;
  private readonly body: Phaser.GameObjects.Graphics;
  private readonly label: Phaser.GameObjects.Text;
  private readonly talkRing: Phaser.GameObjects.Graphics;
  private readonly talkMark: Phaser.GameObjects.Text;
  private drawn = '';
  private talking = false;

  constructor(scene: Phaser.Scene, private readonly isSelf: boolean, private readonly isHost: boolean) {
    this.body = scene.add.graphics();
    this.label = scene.add.text(0, -PLAYER_RADIUS - 16, '', {
      fontFamily: 'system-ui, sans-serif', fontSize: '15px', color: '#ffffff', fontStyle: 'bold',
    }).setOrigin(0.5, 1).setStroke('#0b1020', 4);
    this.talkRing = scene.add.graphics().lineStyle(4, 0x4ade80, 0.9).strokeCircle(0, 0, PLAYER_RADIUS + 7).setVisible(false);
    this.talkMark = scene.add.text(PLAYER_RADIUS + 2, -PLAYER_RADIUS - 4, 'talking', { fontFamily: 'system-ui, sans-serif', fontSize: '12px', color: '#4ade80', fontStyle: 'bold' }).setOrigin(0, 1).setVisible(false);
    this.root = scene.add.container(0, 0, [this.talkRing, this.body, this.label, this.talkMark]).setDepth(isSelf ? 20 : 10);
  }

  /** Shows or hides the talking marker (the player's voice is live). */
  setTalking(on: boolean): void {
    if (on === this.talking) return;
    this.talking = on;
    this.talkRing.setVisible(on);
    this.talkMark.setVisible(on);
    this.root.setData('talking', on);
  }

  /** True while the talking marker shows. */
  get isTalking(): boolean {
    return this.talking;
  }

  /** Moves and, when needed, redraws the avatar for `p`. */
  update(p: PlayerEntity): void {
    this.root.setPosition(p.x, p.y);
    this.body.setRotation(p.angle);
    const key = `${p.name}|${p.color}`;
    if (key !== this.drawn) this.redraw(p, key);
    this.placeLabel(p.x, p.y);
  }

  private redraw(p: PlayerEntity, key: string): void {
    this.drawn = key;
    this.label.setText(`${this.isHost ? '♛ ' : ''}${p.name}${this.isSelf ? ' (you)' : ''}`);
    this.label.setColor(this.isHost ? '#ffd66b' : '#ffffff');
    const g = this.body.clear();
    g.fillStyle(0x000000, 0.35).fillCircle(3, 4, PLAYER_RADIUS);
    g.fillStyle(p.color, 1).fillCircle(0, 0, PLAYER_RADIUS);
    g.lineStyle(this.isSelf ? 4 : 2, 0xffffff, this.isSelf ? 0.95 : 0.5).strokeCircle(0, 0, PLAYER_RADIUS);
    g.fillStyle(0x0b1020, 0.8).fillTriangle(PLAYER_RADIUS - 2, 0, PLAYER_RADIUS - 11, -6, PLAYER_RADIUS - 11, 6);
  }

  /** Keeps the name inside the arena: below the disc near the top wall, shifted in at the sides. */
  private placeLabel(x: number, y: number): void {
    const margin = 4;
    const half = this.label.width / 2;
    const above = y - PLAYER_RADIUS - 16 - this.label.height >= margin;
    this.label.setOrigin(0.5, above ? 1 : 0).setPosition(Math.max(margin + half - x, Math.min(ARENA.width - margin - half - x, 0)), above ? -PLAYER_RADIUS - 16 : PLAYER_RADIUS + 6);
  }

  /** Removes the avatar. */
  destroy(): void {
    this.root.destroy();
  }
}
