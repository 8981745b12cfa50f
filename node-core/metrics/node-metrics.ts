/** Prometheus metrics (prom-client) on a registry of this node's own, never the global one. */
import { Counter, Gauge, Registry } from 'prom-client';
import type { StatusView } from '../dto.ts';

const STATUSES = ['starting', 'active', 'standby', 'stopping'] as const;

export class NodeMetrics {
  readonly registry = new Registry();
  readonly #status = new Gauge({
    name: 'tandem_node_status',
    help: '1 for the status the node is in now',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #epoch = new Gauge({
    name: 'tandem_epoch',
    help: 'Epoch of the pair as this node knows it',
    registers: [this.registry],
  });
  readonly #rtt = new Gauge({
    name: 'tandem_heartbeat_rtt_seconds',
    help: 'Round-trip time of the last answered heartbeat',
    registers: [this.registry],
  });
  readonly #missed = new Gauge({
    name: 'tandem_missed_pings',
    help: 'Consecutive heartbeats without an answer',
    registers: [this.registry],
  });
  readonly #peerConnected = new Gauge({
    name: 'tandem_peer_connected',
    help: '1 while the peer link is up',
    registers: [this.registry],
  });
  readonly #failovers = new Counter({
    name: 'tandem_failovers_total',
    help: 'Times this node became active',
    registers: [this.registry],
  });

  update(view: StatusView): void {
    for (const status of STATUSES) this.#status.set({ status }, view.node.status === status ? 1 : 0);
    this.#epoch.set(view.node.epoch);
    this.#missed.set(view.peer?.missedPings ?? 0);
    this.#peerConnected.set(view.peer?.link === 'connected' ? 1 : 0);
  }

  heartbeatRtt(ms: number): void {
    this.#rtt.set(ms / 1000);
  }

  failover(): void {
    this.#failovers.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
