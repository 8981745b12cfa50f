/**
 * One Tandem node at run time: it starts and stops the parts the composition root made (create-node.ts,
 * node-parts.ts), answers for the node (status view, events, certificates, switch-over) and tells what
 * happens (`status`, `event`, `link`, `data`). It makes none of its parts.
 */
import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../clock/index.ts';
import type { CertificateRecord, EventKind, FailoverEvent, StatusView } from '../dto.ts';
import type { MetricsExport, NodeEvents, SwitchoverResult } from './ports.ts';
import { yieldingToPeer, type RecordedEvent, type Status } from '../redundancy/index.ts';
import type { NodeSettings } from './settings.ts';
import { statusViewOf } from './status-view.ts';
import type { OpcUaView } from '../plant/opcua/opcua-view.ts';
import type { SparkplugEdge } from '../plant/sparkplug/index.ts';
import type { NodeBase, NodeParts } from './node-parts.ts';
import { stopGuardMs, switchoverAnswerMs } from './timing-bounds.ts';

/**
 * Makes the node's Sparkplug edge when a broker is set (plant-ports.ts), given by the composition
 * root so that the node does not import what imports it.
 */
export type SparkplugFactory = (node: TandemNode) => SparkplugEdge | null;

export class TandemNode extends EventEmitter<NodeEvents> {
  readonly settings: NodeSettings;
  readonly nodeId: string;
  readonly #base: NodeBase;
  readonly #parts: NodeParts;
  /** The pair as one Sparkplug B edge node, when a broker is set (docs/sparkplug.md). */
  readonly #sparkplug: SparkplugEdge | null;
  #started: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #whenStopped: () => void = () => undefined;

  constructor(base: NodeBase, parts: NodeParts, sparkplug?: SparkplugFactory) {
    super();
    this.#base = base;
    this.#parts = parts;
    this.settings = base.settings;
    this.nodeId = parts.nodeId;
    parts.relay.connect({
      statusChanged: (status, epoch, reason) => this.#onStatusChanged(status, epoch, reason),
      machineEvent: (event) => this.#recordMachineEvent(event),
      stopped: () => this.#whenStopped(),
      event: (event) => this.emit('event', event),
      data: (values, alarms) => this.emit('data', values, alarms),
      link: (state, reason) => this.emit('link', state, reason),
    });
    this.#sparkplug = sparkplug?.(this) ?? null;
  }

  get status(): Status {
    return this.#parts.driver.state.status;
  }

  get epoch(): number {
    return this.#parts.driver.state.epoch;
  }

  /** Where the peer link listens (master), for tests that use port 0. */
  get peerPort(): number | null {
    return this.#parts.link?.port ?? null;
  }

  /** Where this node's API answers: its hello and status view tell it. */
  set apiUrl(url: string) {
    this.#parts.api.url = url;
  }

  #databaseDamage: string | null = null;

  /**
   * The whole database's check after start found damage (node-core/store/store-thread.ts): the status shows
   * it from now on, and the pair's history records it once.
   */
  databaseDamaged(summary: string): void {
    if (this.#databaseDamage === summary) return;
    this.#databaseDamage = summary;
    this.#parts.recorder.note('database-damaged', summary);
  }

  /** The OPC UA server's status line, set once createNode started it (docs/opcua.md). */
  opcuaView: (() => OpcUaView) | null = null;

  /** The OPC UA port the peer said it serves on (0: none), or null when unknown (not linked yet, older peer). */
  peerOpcuaPort(): number | null {
    return this.#parts.router.peer?.hello.opcuaPort ?? null;
  }

  /** What ServiceLevel needs of the redundancy state beyond the status (docs/opcua.md "ServiceLevel"). */
  redundancyHealth(): { isolationSuspected: boolean; handingOver: boolean } {
    const state = this.#parts.driver.state;
    return {
      isolationSuspected: state.isolationReachable === false,
      handingOver: yieldingToPeer(state),
    };
  }

  /** Listens or dials, and runs the machine and the workload. Idempotent: a second call answers the first's. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      await this.#parts.link?.start();
      this.#parts.driver.start();
      this.#parts.workload.start();
      this.#parts.metrics.update(this.statusView());
    })();
    return this.#started;
  }

  /**
   * Clean stop (docs/rules.md "Roles 4"): tell the peer, hand over if active, then close everything.
   * Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const { realTime } = this.#base;
      let guard: TimerHandle | null = null;
      await new Promise<void>((resolve) => {
        this.#whenStopped = resolve;
        // The machine bounds the hand-over by the ping timeout; this is only a guard against a stuck link.
        guard = realTime.setTimeout(resolve, stopGuardMs(this.settings.timing));
        this.#parts.driver.dispatch({ type: 'stop-requested' });
        if (this.#parts.driver.state.stopped) resolve();
      });
      if (guard) realTime.clearTimeout(guard);
      this.#parts.driver.halt();
      this.#parts.checks.stop();
      await this.#sparkplug?.stop();
      await this.#parts.workload.stop();
      await this.#parts.link?.close();
      this.emit('stopped');
    })();
    return this.#stopping;
  }

  /** Undoes a start that failed half-way: no hand-over, no events, just release the ports and timers. */
  async abandon(): Promise<void> {
    this.#parts.checks.stop();
    this.#parts.driver.halt();
    await this.#sparkplug?.stop();
    await this.#parts.workload.stop();
    await this.#parts.link?.close();
    await this.#parts.walSync.close();
  }

  /** Close the database last, after the API has stopped answering. */
  async closeStore(): Promise<void> {
    await this.#parts.walSync.close();
    if (this.#base.db.open) this.#base.db.close();
  }

  requestSwitchover(): void {
    this.#parts.driver.dispatch({ type: 'switchover-requested' });
  }

  /**
   * Asks for a switch-over and answers how it ended once it has an outcome (this node active, or the hand-over
   * given up) or its bound passed (node/timing-bounds.ts), on the system clock: an API answer never waits on a
   * manual one. The outcome is the switch-over's, not the node's: a node that became active by a failover after
   * its switch-over failed answers `failed` (chaos seed 416026 answered only "active", which read as done).
   */
  switchOver(): Promise<SwitchoverResult> {
    if (this.status === 'active') {
      this.requestSwitchover();
      return Promise.resolve({ status: this.status, outcome: 'already-active' });
    }
    const { realTime } = this.#base;
    return new Promise((resolve) => {
      const done = (outcome: SwitchoverResult['outcome'], reason?: string): void => {
        realTime.clearTimeout(timer);
        this.off('status', onStatus);
        this.off('event', onEvent);
        resolve({ status: this.status, outcome, ...(reason === undefined ? {} : { reason }) });
      };
      const onStatus = (status: Status): void => {
        if (status === 'active') done('switched');
      };
      const onEvent = (event: FailoverEvent): void => {
        if (event.kind === 'switchover-failed' && event.nodeId === this.nodeId) done('failed', event.reason);
      };
      const timer = realTime.setTimeout(() => done('pending'), switchoverAnswerMs(this.settings.timing));
      this.on('status', onStatus);
      this.on('event', onEvent);
      this.requestSwitchover();
      if (this.status === 'active') done('switched');
    });
  }

  /** `GET /metrics`: the node's metrics, brought up to date as they are read. */
  get metricsExport(): MetricsExport {
    const { metrics } = this.#parts;
    return {
      contentType: metrics.registry.contentType,
      scrape: () => {
        metrics.update(this.statusView());
        return metrics.text();
      },
    };
  }

  listEvents(limit: number, kinds?: readonly EventKind[]): FailoverEvent[] {
    return this.#base.events.list(limit, kinds);
  }

  listCertificates(): CertificateRecord[] {
    return this.#parts.certificates.list();
  }

  /** The operator's decision on a certificate (node/certificate-decisions.ts); `shared`: the peer holds it too. */
  decideCertificate(
    fingerprint: string,
    decision: 'trusted' | 'rejected',
  ): Promise<(CertificateRecord & { readonly shared: boolean }) | undefined> {
    return this.#parts.certificates.decide(fingerprint, decision);
  }

  statusView(): StatusView {
    return statusViewOf({
      settings: this.settings,
      nodeId: this.nodeId,
      startedAt: this.#parts.startedAt,
      apiUrl: this.#parts.api.url,
      identity: this.#base.identity,
      license: this.#base.license,
      version: this.#base.version,
      state: this.#parts.driver.state,
      peer: this.#parts.router.peer,
      link: this.#parts.link,
      checks: this.#parts.checks,
      eventsReplicated: this.#base.events.count(),
      sync: this.#parts.data.syncView(),
      opcua: this.opcuaView?.() ?? null,
      sparkplug: this.#sparkplug?.view() ?? null,
      databaseDamage: this.#databaseDamage,
    });
  }

  /** A reason with the cause it hides, when there is one (PairChecks.explain). */
  #explain(reason: string): string {
    return this.#parts.checks.explain(
      reason,
      this.#parts.driver.state.peer.status !== null,
      this.#parts.link?.reason ?? null,
    );
  }

  /** The peer's API when the peer is linked and active, as the status view shows it; else null. */
  activePeerApiUrl(): string | null {
    const peer = this.statusView().peer;
    return peer?.status === 'active' && peer.apiUrl ? peer.apiUrl : null;
  }

  #onStatusChanged(status: Status, epoch: number, rawReason: string): void {
    const reason = this.#explain(rawReason);
    if (status === 'active')
      this.#parts.recorder.storing(`epoch ${epoch}`, () => this.#base.meta.setEpoch(epoch));
    this.#base.logger.info({ status, epoch, reason }, `node is ${status}`);
    this.#parts.data.statusChanged(status);
    this.#parts.metrics.update(this.statusView());
    this.#parts.workload.statusChanged(status);
    this.emit('status', status, reason);
  }

  #recordMachineEvent(event: RecordedEvent): void {
    if (event.kind === 'role-change' && event.to === 'active') this.#parts.metrics.failover();
    this.#parts.recorder.record(
      event.kind,
      event.from,
      event.to,
      this.#explain(event.reason),
      event.durationMs,
    );
  }
}
