/**
 * Snapshot packer: splits one tick's records into packets that each fit the budget and decode alone.
 *
 * Records go in order (removed, changed, added), whole, greedily: a record that overflows the
 * packet is rewound (the bit writer truncates back to where it began) and written again at the
 * start of a new part, whose header repeats the tick, baseline and code orders. Small snapshots
 * are tried first as a single packet with exact (Exp-Golomb) counts; the first overflow switches
 * to multi-part mode, whose fixed-width part index/count and section counts are patched in when
 * each part is finished. One record larger than an empty packet is a MESSAGE_TOO_LARGE error.
 * Read more: Gaffer on Games, "Packet Fragmentation and Reassembly" (why not to fragment).
 */
import { BitWriter } from './bitpack.js';
import { HostmeshError } from '../core/errors.js';
import type { QEntity } from './qentity.js';
import { sharedPrefix, sharedPrefixes, type QState } from './qstate.js';
import type { CompiledSchema } from './schema.js';
import { MAX_PARTS, MAX_SECTION_RECORDS, patchHeader, writeHeader, type PacketHeader } from './format.js';
import { writeChanged, writeFull, type RecordContext } from './records.js';

function tooLarge(what: string, budgetBytes: number): HostmeshError {
  return new HostmeshError('MESSAGE_TOO_LARGE', `${what} does not fit one snapshot packet (${budgetBytes} bytes). Split it into smaller entities or move large fields out of the replicated state.`);
}

/** What one tick's snapshot holds: baseline indexes of removed and changed entities (`changedAt`: the latter's indexes in `cur`), indexes in `cur` of added ones. */
export interface Sections { removed: number[]; changed: number[]; changedAt: number[]; added: number[]; cur: QState; base: QState | undefined }

const writer = new BitWriter();

/** Writes `s` into as few packets of ≤ `budgetBytes` as it takes (one if it fits, with the smaller header). */
export function packSnapshot(schema: CompiledSchema, header: PacketHeader, s: Sections, budgetBytes: number): Uint8Array[] {
  return new Packer(schema, header, budgetBytes, false).pack(s) ?? (new Packer(schema, header, budgetBytes, true).pack(s) as Uint8Array[]);
}

/** Fills packets greedily with whole records; in single-part mode gives up (null) on the first overflow. */
class Packer {
  private readonly w = writer;
  private readonly budget: number;
  private readonly packets: Uint8Array[] = [];
  private readonly ctx: RecordContext;
  private readonly part: PacketHeader;
  private patchAt = 0;
  private countsAt = 0;
  private prevIndex = -1;
  private prevId = '';

  constructor(private readonly schema: CompiledSchema, private readonly header: PacketHeader, private readonly budgetBytes: number, private readonly multi: boolean) {
    this.budget = budgetBytes * 8;
    this.ctx = { absK: header.absK ?? [], deltaK: header.deltaK ?? [], prevMask: 0, prevChanged: NaN, shapes: [] };
    this.part = { ...header };
  }

  private start(): void {
    const w = this.w;
    w.reset();
    this.patchAt = writeHeader(w, this.schema, this.header, this.multi);
    this.countsAt = w.pos - 36;
    this.part.removed = this.part.changed = this.part.added = 0;
    this.ctx.prevMask = 0;
    this.ctx.prevChanged = NaN;
    this.ctx.shapes = [];
    this.prevIndex = -1;
    this.prevId = '';
  }

  private finish(): void {
    if (this.multi) patchHeader(this.w, this.patchAt, this.countsAt, this.part);
    this.packets.push(this.w.finish());
    this.part.partIndex++;
  }

  /** Before a record: starts a new part when this one holds the most records a section may. */
  private room(sectionCount: number): void {
    if (this.multi && sectionCount >= MAX_SECTION_RECORDS) this.next();
  }

  /** After a record written from bit `from`: true if it fits; else rewinds and starts a new part (false), or throws. */
  private fits(from: number, prevMask: number, id: string | undefined): boolean {
    if (this.w.pos <= this.budget) return true;
    if (!this.multi) throw NOT_SINGLE;
    if (this.part.removed + this.part.changed + this.part.added === 0) throw tooLarge(id === undefined ? 'A removal' : `Entity '${id}'`, this.budgetBytes);
    this.w.truncate(from);
    this.ctx.prevMask = prevMask;
    this.next();
    return false;
  }

  private next(): void {
    this.finish();
    if (this.part.partIndex >= MAX_PARTS) throw tooLarge(`A snapshot of more than ${MAX_PARTS} parts`, this.budgetBytes);
    this.start();
  }

  pack(s: Sections): Uint8Array[] | null {
    const { w, schema, ctx, part } = this;
    const { cur, base } = s;
    const baseIds = base ? base.ids : [];
    const gapK = this.header.gapK;
    try {
      this.start();
      for (const idx of s.removed) {
        this.room(part.removed);
        for (;;) {
          const from = w.pos;
          w.eg(idx - this.prevIndex - 1, gapK);
          if (this.fits(from, ctx.prevMask, undefined)) break;
        }
        this.prevIndex = idx;
        part.removed++;
      }
      this.prevIndex = -1;
      for (let n = 0; n < s.changed.length; n++) {
        const idx = s.changed[n] as number;
        this.room(part.changed);
        const id = baseIds[idx] as string;
        const c = cur.entities[s.changedAt[n] as number] as QEntity, b = base?.entities[idx] as QEntity;
        for (;;) {
          const from = w.pos, mask = ctx.prevMask;
          w.eg(idx - this.prevIndex - 1, gapK);
          writeChanged(w, schema, c, b, ctx);
          if (this.fits(from, mask, id)) break;
        }
        this.prevIndex = idx;
        part.changed++;
      }
      for (const at of s.added) {
        const id = cur.ids[at] as string;
        this.room(part.added);
        for (;;) {
          const from = w.pos, mask = ctx.prevMask, prevId = this.prevId;
          // The previous id is usually the one before in `cur.ids`, whose shared prefixes are computed once per id list.
          const p = at > 0 && prevId === cur.ids[at - 1] ? (sharedPrefixes(cur.ids)[at] as number) : sharedPrefix(prevId, id);
          w.eg(p, 2);
          w.string(id, p);
          writeFull(w, schema, cur.entities[at] as QEntity, ctx);
          if (this.fits(from, mask, id)) break;
        }
        this.prevId = id;
        part.added++;
      }
      this.finish();
    } catch (err) {
      if (err === NOT_SINGLE) return null;
      throw err;
    }
    if (this.multi) for (const p of this.packets) setBits(p, this.patchAt, this.packets.length - 1, 8);
    return this.packets;
  }
}

const NOT_SINGLE = new Error('does not fit one packet');



/** Overwrites `n` bits at bit `pos` of a finished packet. */
function setBits(packet: Uint8Array, pos: number, value: number, n: number): void {
  for (let bit = 0; bit < n; bit++, pos++, value >>>= 1) {
    const byte = pos >>> 3, mask = 1 << (pos & 7);
    packet[byte] = (value & 1 ? (packet[byte] as number) | mask : (packet[byte] as number) & ~mask) & 0xff;
  }
}
