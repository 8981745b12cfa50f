/**
 * Prometheus metrics (prom-client) on a registry of this node's own, never the global one. The node only
 * records numbers here; prom-client is loaded at the first scrape, so a node nobody scrapes never loads it.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import type { StatusView } from '../dto.ts';

const STATUSES = ['starting', 'active', 'standby', 'stopping'] as const;

/** prom-client's `Registry.PROMETHEUS_CONTENT_TYPE` (text format 0.0.4), known before it is loaded. */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Recorded {
  status: StatusView['node']['status'];
  epoch: number;
  missedPings: number;
  peerConnected: boolean;
}

interface Instruments {
  readonly registry: Registry;
  readonly status: Gauge;
  readonly epoch: Gauge;
  readonly rtt: Gauge;
  readonly missed: Gauge;
  readonly peerConnected: Gauge;
  readonly failovers: Counter;
}

export class NodeMetrics {
  readonly registry = { contentType: PROMETHEUS_CONTENT_TYPE } as const;
  #recorded: Recorded | null = null;
  #rttSeconds: number | null = null;
  #failovers = 0;
  #failoversReported = 0;
  #instruments: Promise<Instruments> | null = null;

  update(view: StatusView): void {
    this.#recorded = {
      status: view.node.status,
      epoch: view.node.epoch,
      missedPings: view.peer?.missedPings ?? 0,
      peerConnected: view.peer?.link === 'connected',
    };
  }

  heartbeatRtt(ms: number): void {
    this.#rttSeconds = ms / 1000;
  }

  failover(): void {
    this.#failovers++;
  }

  async text(): Promise<string> {
    const m = await (this.#instruments ??= instruments());
    const recorded = this.#recorded;
    if (recorded) {
      for (const status of STATUSES) m.status.set({ status }, recorded.status === status ? 1 : 0);
      m.epoch.set(recorded.epoch);
      m.missed.set(recorded.missedPings);
      m.peerConnected.set(recorded.peerConnected ? 1 : 0);
    }
    if (this.#rttSeconds !== null) m.rtt.set(this.#rttSeconds);
    if (this.#failovers > this.#failoversReported) {
      m.failovers.inc(this.#failovers - this.#failoversReported);
      this.#failoversReported = this.#failovers;
    }
    return m.registry.metrics();
  }
}

async function instruments(): Promise<Instruments> {
  const { Counter, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  return {
    registry,
    status: new Gauge({
      name: 'tandem_node_status',
      help: '1 for the status the node is in now',
      labelNames: ['status'],
      registers: [registry],
    }),
    epoch: new Gauge({
      name: 'tandem_epoch',
      help: 'Epoch of the pair as this node knows it',
      registers: [registry],
    }),
    rtt: new Gauge({
      name: 'tandem_heartbeat_rtt_seconds',
      help: 'Round-trip time of the last answered heartbeat',
      registers: [registry],
    }),
    missed: new Gauge({
      name: 'tandem_missed_pings',
      help: 'Consecutive heartbeats without an answer',
      registers: [registry],
    }),
    peerConnected: new Gauge({
      name: 'tandem_peer_connected',
      help: '1 while the peer link is up',
      registers: [registry],
    }),
    failovers: new Counter({
      name: 'tandem_failovers_total',
      help: 'Times this node became active',
      registers: [registry],
    }),
  };
}
