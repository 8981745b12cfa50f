/**
 * The gateway work a node does by its role (docs/rules.md "Data 4" and "Roles 5"): acquisition,
 * history recording, the warm standby's buffer and forwarding history between the two nodes.
 * - active: polls, publishes values as runtime data (stored, alarmed, replicated) and records history;
 * - warm standby: polls into the warm buffer, which fills the history for the detection window on take-over;
 * - cold standby: nothing.
 * When the link comes up and whenever this node's status changes while linked, it pulls the history its peer
 * holds and it lacks, so samples the backup recorded while active reach the master after fail-back.
 * Across a hand-over (docs/redundancy.md "History across a hand-over"): the node that stands down still
 * records its warm polls until its peer has run for a detection window, and the node that takes over pulls
 * once more after that, so the polls made while neither node was polling actively reach its history.
 */
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { Logger } from '../logging.ts';
import { AcquisitionEngine, type AcquisitionRole, type PolledValue } from '../acquisition/index.ts';
import type { DataService, TagDefinition } from '../data/index.ts';
import {
  detectionWindowMs,
  HistoryForwarder,
  HistoryStore,
  toHistorySamples,
  WarmBuffer,
  type BufferedValue,
  type HistoryFrame,
} from '../history/index.ts';
import type { Status } from '../redundancy/index.ts';
import type { Db } from '../store/index.ts';
import { Retention } from './retention.ts';
import type { NodeSettings } from './settings.ts';

export interface WorkloadPorts {
  readonly db: Db;
  readonly data: DataService;
  readonly settings: NodeSettings;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  status(): Status;
  linked(): boolean;
  /** When the peer last answered a heartbeat (ms), or null. */
  peerLastSeenAt(): number | null;
  /** Whether the peer is linked and says it is active. */
  peerActive(): boolean;
  send(frame: HistoryFrame): void;
  deviceFault(device: string, reason: string | null): void;
}

/** Values a warm standby keeps; at 10 samples/s per tag this covers 1000 tags for ten seconds. */
const WARM_BUFFER_SAMPLES = 100_000;

export class GatewayWorkload {
  readonly history: HistoryStore;
  readonly #p: WorkloadPorts;
  readonly #engine: AcquisitionEngine;
  readonly #warm: WarmBuffer;
  readonly #forwarder: HistoryForwarder;
  #status: Status;
  /** Since this node stood down, and since it saw its peer active: it records its warm polls meanwhile. */
  #standDown: { readonly at: number; peerActiveAt: number | null } | null = null;
  /** The pull a detection window after a take-over, for what the peer polled while standing down. */
  #repull: TimerHandle | null = null;
  readonly #historyListeners = new Set<(added: number) => void>();
  readonly #retention: Retention;
  #running = false;
  readonly #warmListeners = new Set<(values: readonly BufferedValue[]) => void>();

  constructor(ports: WorkloadPorts) {
    this.#p = ports;
    this.#status = ports.status();
    this.history = new HistoryStore(ports.db);
    this.#warm = new WarmBuffer({
      clock: ports.clock,
      windowMs: detectionWindowMs(ports.settings.timing),
      maxSamples: WARM_BUFFER_SAMPLES,
    });
    this.#forwarder = new HistoryForwarder(this.history, {
      send: (frame) => ports.send(frame),
      unreadable: (error, what) =>
        ports.logger.error({ err: error }, `history forwarding: ${what} failed; the link goes on without it`),
    });
    this.#retention = new Retention({
      clock: ports.clock,
      logger: ports.logger,
      historyRetentionDays: ports.settings.historyRetentionDays,
      ledgerRetentionDays: ports.settings.ledgerRetentionDays,
      pruneHistory: (beforeTs, limit, from) => this.history.prune(beforeTs, limit, from),
      pruneLedger: (beforeTs, limit) => ports.data.runtime.pruneLedger(beforeTs, limit),
    });
    this.#engine = new AcquisitionEngine(
      {
        clock: ports.clock,
        tags: () =>
          ports.data.config
            .list<TagDefinition>('tag')
            .map((t) => ({ name: t.key, definition: t.definition })),
        devices: () => ports.data.config.list<unknown>('device'),
        watchConfig: (listener) => ports.data.config.watch(listener),
        tag: (name) => ports.data.config.item<TagDefinition>('tag', name),
        role: () => this.#role(),
        publish: (values) => this.#publish(values),
        buffer: (values) => {
          this.#warm.push(values);
          this.#recordWhileStandingDown(values);
          for (const listener of this.#warmListeners) listener(values);
        },
        deviceFault: (device, reason) => ports.deviceFault(device, reason),
      },
      { logger: ports.logger },
    );
  }

  /**
   * Tells what this node polls as a warm standby, unfiltered (Sparkplug keeps its own copy, as the samples
   * between the old active's last publish and its last heartbeat: docs/sparkplug.md "Across a failover").
   */
  onWarmValues(listener: (values: readonly BufferedValue[]) => void): () => void {
    this.#warmListeners.add(listener);
    return () => this.#warmListeners.delete(listener);
  }

  /** Tells when a pull from the peer added samples to the history (Sparkplug looks at them again). */
  onHistoryReceived(listener: (added: number) => void): () => void {
    this.#historyListeners.add(listener);
    return () => this.#historyListeners.delete(listener);
  }

  /** Device faults now, by device key. */
  deviceFaults(): Record<string, string> {
    return this.#engine.faults();
  }

  /** Polls by role and keeps the retention. Idempotent: a second call while running changes nothing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#engine.start();
    this.#retention.start();
  }

  /** Ends polling, the retention's timer and a pull under way. Idempotent. */
  stop(): Promise<void> {
    this.#running = false;
    this.#retention.stop();
    this.#cancelRepull();
    this.#forwarder.onLinkDown();
    return this.#engine.stop();
  }

  writeDevice(name: string, value: string | number | boolean | null): Promise<void> {
    if (value === null) return Promise.reject(new Error('a device takes a value, not null'));
    return this.#engine.writeTag(name, value);
  }

  statusChanged(status: Status): void {
    const was = this.#status;
    this.#status = status;
    if (status === 'active' && was !== 'active') {
      // What this node polled while the active one was failing: the history has no gap at the take-over.
      const after = this.#p.peerLastSeenAt();
      const filled = this.#warm.drainInto(this.history, this.#p.nodeId, after === null ? {} : { after });
      if (filled > 0) this.#p.logger.info({ samples: filled }, 'history filled from the warm buffer');
    }
    if (status !== 'active') this.#warm.clear();
    const window = detectionWindowMs(this.#p.settings.timing);
    this.#standDown =
      was === 'active' && status === 'standby' ? { at: this.#p.clock.now(), peerActiveAt: null } : null;
    this.#cancelRepull();
    if (status === 'active' && was !== 'active') {
      // The peer records until it has seen this node active for a window: pull after that, with a window to spare.
      this.#repull = this.#p.clock.setTimeout(() => {
        this.#repull = null;
        if (this.#p.linked()) this.#pull();
      }, 2 * window);
    }
    this.#engine.refresh();
    if (this.#p.linked()) this.#pull();
  }

  /**
   * A node that stood down records its warm polls until its peer has been active for a detection window (time
   * to poll for itself, a returning node to reach its devices); at most ten windows if the peer never runs.
   */
  #recordWhileStandingDown(values: readonly BufferedValue[]): void {
    const standDown = this.#standDown;
    if (!standDown || values.length === 0) return;
    const now = this.#p.clock.now();
    const window = detectionWindowMs(this.#p.settings.timing);
    if (standDown.peerActiveAt === null && this.#p.peerActive()) standDown.peerActiveAt = now;
    const until = Math.min(standDown.at + 10 * window, (standDown.peerActiveAt ?? now) + window);
    if (now >= until) {
      this.#standDown = null;
      return;
    }
    this.history.record(toHistorySamples(values, this.#p.nodeId));
  }

  #cancelRepull(): void {
    if (this.#repull) this.#p.clock.clearTimeout(this.#repull);
    this.#repull = null;
  }

  linkUp(): void {
    this.#pull();
  }

  linkDown(): void {
    this.#forwarder.onLinkDown();
  }

  onFrame(frame: HistoryFrame): void {
    this.#forwarder.onFrame(frame);
  }

  #pull(): void {
    void this.#forwarder.pull().then(({ complete, added }) => {
      if (added === 0) return;
      this.#p.logger.info({ samples: added, complete }, 'history received from the peer');
      for (const listener of this.#historyListeners) listener(added);
    });
  }

  #publish(values: readonly PolledValue[]): void {
    this.history.record(toHistorySamples(this.#p.data.publishPolled(values), this.#p.nodeId));
  }

  #role(): AcquisitionRole {
    switch (this.#p.status()) {
      case 'active':
        return 'active';
      case 'standby':
        return this.#p.settings.standby === 'warm' ? 'warm-standby' : 'cold-standby';
      case 'starting':
      case 'stopping':
        return 'stopped';
    }
  }
}
