/**
 * Host side, one per client: sends the field values a snapshot references (packed.ts) over the
 * reliable channel before the snapshot itself, each (entity, field, version) once. Reliable is
 * ordered, so a value always arrives before any later version of the same field; a snapshot that
 * overtakes its value on the unreliable channel is dropped by the client until the value is in.
 */
import type { Link } from '../link/link.js';
import type { QState } from '../snapshot/qstate.js';
import { forEachRef } from '../snapshot/value-store.js';
import { MsgType } from '../wire/protocol.js';

/** Sends a client the referenced values of its states. */
export class ValueSender {
  private readonly sent = new Map<string, number>();
  /** Bytes of values sent, in all. */
  bytesSent = 0;

  /** Sends what `state` references and this client has not been sent yet. */
  sendFor(state: QState, link: Link): void {
    let refs = 0;
    forEachRef(state, (id, field, value) => {
      refs++;
      const key = `${id}\u0000${field}`;
      if (this.sent.get(key) === value.ref) return;
      link.sendReliable(MsgType.STATE_VALUE, { i: id, f: field, k: value.ref, d: value.bytes });
      this.sent.set(key, value.ref);
      this.bytesSent += value.bytes.length;
    });
    // Forget fields no longer in this client's state (entity gone, or out of its interest): if
    // they come back, they are sent again rather than trusted to still be in the client's store.
    if (this.sent.size > refs) {
      const live = new Set<string>();
      forEachRef(state, (id, field) => live.add(`${id}\u0000${field}`));
      for (const key of this.sent.keys()) if (!live.has(key)) this.sent.delete(key);
    }
  }
}
