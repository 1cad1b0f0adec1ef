/**
 * The server's Prometheus metrics (prom-client), one registry per server (several servers in
 * one process keep apart), served at `GET /metrics` in the text format. Counters are
 * incremented where things happen; gauges (sockets, peers, lobbies) are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where the scrape-time gauges read from. */
export interface MetricSources {
  /** Open signaling WebSockets. */
  sockets: () => number;
  /** Peer ids registered on this node. */
  peers: () => number;
  /** Lobbies in the store (every node's, with a shared store). */
  lobbies: () => Promise<number>;
}

/** Every metric of one server. */
export class ServerMetrics {
  /** The registry `GET /metrics` serializes. */
  readonly registry = new Registry();
  /** Signaling messages accepted from clients, by PeerJS type. */
  readonly signalingMessages: Counter<'type'>;
  /** Signaling messages routed to or received from other nodes. */
  readonly signalingRouted: Counter<'direction'>;
  /** Signaling messages dropped, by reason (nowhere: no node holds the id; queue_cap; remote_gone; store_down; bad_bus_message). */
  readonly signalingDropped: Counter<'reason'>;
  /** Signaling sockets refused or closed by a rule, by reason (rate, cap, id_taken, id_reserved, store_down, frame). */
  readonly signalingRefused: Counter<'reason'>;
  /** Signaling sockets admitted without a cluster-wide id claim because Redis did not answer. */
  readonly claimsSkipped: Counter;
  /** Lobby API requests that succeeded, by route (create, restore, join, lookup, list, update, delete, config). */
  readonly apiRequests: Counter<'route'>;
  /** Lobby API requests refused, by route and error code (RATE_LIMITED, LOBBY_FULL, BAD_PASSWORD, ...). */
  readonly apiRejections: Counter<'route' | 'code'>;
  /** Redis command latency, by operation. */
  readonly redisSeconds: Histogram<'op'>;

  constructor(sources: MetricSources, labels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    this.signalingMessages = new Counter({ name: 'hostmesh_signaling_messages_total', help: 'Signaling messages accepted from clients, by type.', labelNames: ['type'], registers });
    this.signalingRouted = new Counter({ name: 'hostmesh_signaling_routed_total', help: 'Signaling messages sent to (out) or received from (in) other nodes through Redis.', labelNames: ['direction'], registers });
    this.signalingDropped = new Counter({ name: 'hostmesh_signaling_dropped_total', help: 'Signaling messages dropped, by reason.', labelNames: ['reason'], registers });
    this.signalingRefused = new Counter({ name: 'hostmesh_signaling_refused_total', help: 'Signaling sockets refused or closed by a limit or rule, by reason.', labelNames: ['reason'], registers });
    this.claimsSkipped = new Counter({ name: 'hostmesh_signaling_unclaimed_total', help: 'Signaling sockets admitted on this node\'s checks alone because Redis did not answer the id claim.', registers });
    this.apiRequests = new Counter({ name: 'hostmesh_api_requests_total', help: 'Lobby API requests answered with success, by route.', labelNames: ['route'], registers });
    this.apiRejections = new Counter({ name: 'hostmesh_api_rejections_total', help: 'Lobby API requests refused, by route and error code.', labelNames: ['route', 'code'], registers });
    this.redisSeconds = new Histogram({
      name: 'hostmesh_redis_seconds', help: 'Redis round trips, by operation.', labelNames: ['op'], registers,
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    });
    new Gauge({ name: 'hostmesh_signaling_sockets', help: 'Open signaling WebSockets on this node.', registers, collect() { this.set(sources.sockets()); } });
    new Gauge({ name: 'hostmesh_peers', help: 'Peer ids registered with signaling on this node.', registers, collect() { this.set(sources.peers()); } });
    // Not prom-client's default process metrics: they install observers per registry that
    // nothing removes, and tests start hundreds of servers in one process.
    new Gauge({ name: 'hostmesh_process_resident_memory_bytes', help: 'Resident set size of this process.', registers, collect() { this.set(process.memoryUsage.rss()); } });
    new Gauge({
      name: 'hostmesh_lobbies', help: 'Lobbies in the store (-1 when the store is unreachable).', registers,
      async collect() { this.set(await sources.lobbies().catch(() => -1)); },
    });
  }

  /** The text exposition of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
