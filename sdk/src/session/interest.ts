/**
 * Interest management: which entities each client receives. The host's filter is asked, per
 * client and tick, about every entity of the committed state; the client's snapshot is the
 * subset it keeps, delta-encoded against the subset that client acknowledged (its own history),
 * so an entity entering a client's interest arrives as added and one leaving it as removed,
 * whatever was lost on the way. Subsets equal to the last one share its arrays, which keeps the
 * codec's fast paths (same ids, same entities) for clients whose interest did not change.
 * Read more: Unreal's "relevancy", Valve's PVS; Gaffer on Games, "State Synchronization" (priority).
 */
import type { QEntity } from '../snapshot/qentity.js';
import { shareIds, type QState } from '../snapshot/qstate.js';
import type { Entity, State } from '../snapshot/schema.js';

/** Decides whether client `clientId` receives entity `entityId` (the host's raw entity) this tick. */
export type InterestFilter = (clientId: string, entityId: string, entity: Entity) => boolean;

/** The part of committed state `q` (raw: `raw`) that `keep` lets `clientId` see; `last` (that client's previous subset) is reused when equal. Throws what `keep` throws. */
export function filterState(q: QState, raw: State, clientId: string, keep: InterestFilter, last: QState | undefined): QState {
  const ids: string[] = [], entities: QEntity[] = [];
  for (let i = 0; i < q.ids.length; i++) {
    const id = q.ids[i] as string, e = raw[id];
    if (e !== undefined && keep(clientId, id, e) === true) { ids.push(id); entities.push(q.entities[i] as QEntity); }
  }
  const shared = shareIds(ids, last?.ids);
  if (last && shared === last.ids) {
    let same = true;
    for (let i = 0; same && i < entities.length; i++) same = entities[i] === last.entities[i];
    if (same) return last;
  }
  return { ids: shared, entities, order: undefined };
}
