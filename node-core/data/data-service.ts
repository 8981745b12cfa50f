/**
 * The gateway data the pair protects, and its replication (docs/rules.md "Data", "Commands").
 * Config flows from the active node to its follower; runtime data flows both ways. With the peer
 * connected, a change is acknowledged to its caller only after the peer has stored it. Config replication
 * itself is replication/config-replication.ts, runtime batches on the wire replication/runtime-replication.ts;
 * this is the operations (config changes, tag writes, alarm acknowledgements, polled values) and what the
 * peer's runtime batches change here.
 */
import { randomUUID } from 'node:crypto';
import { dispatchFrame, handlersFor, type FrameHandlers } from '../peer/frame-handlers.ts';
import type { PeerFrame } from '../peer/index.ts';
import { CONFIG_FRAMES, type ConfigFrame } from '../replication/config-frames.ts';
import { ConfigReplication } from '../replication/config-replication.ts';
import type { RuntimeBatch } from '../replication/runtime-frames.ts';
import { RuntimeReplication } from '../replication/runtime-replication.ts';
import type { ConfigChange, ConfigConflict, ConfigHead, ConfigKind, ConfigStore } from './config-store.ts';
import type { ConfigItem } from './config-types.ts';
import { RuntimeStore, type LedgerEntry, type TagValue } from './runtime-store.ts';
import { isWritable, valueProblem } from './tag-definition.ts';
import { VersionClock } from './version.ts';
import { DataError } from './data-error.ts';
import type { AlarmService } from './alarm-service.ts';
import type { DataPorts } from './data-ports.ts';
import { MemoryTags } from './memory-tags.ts';
import { OncePerUid, uidReused } from './once-per-uid.ts';
import { storageFailure } from '../store/database.ts';
import type { Version } from './version.ts';

export type { DataPorts } from './data-ports.ts';

/** The frames a DataService receives: those of config replication and of the runtime data. */
export const DATA_FRAMES = [...CONFIG_FRAMES, 'runtime', 'runtime-ack'] as const;
export type DataFrame = Extract<PeerFrame, { t: (typeof DATA_FRAMES)[number] }>;

function isDataFrame(frame: PeerFrame): frame is DataFrame {
  return (DATA_FRAMES as readonly string[]).includes(frame.t);
}

export class DataService {
  readonly config: ConfigStore;
  readonly runtime: RuntimeStore;
  readonly alarms: AlarmService;
  readonly #p: DataPorts;
  readonly #versions: VersionClock;
  readonly #memoryTags: MemoryTags;
  readonly #configReplication: ConfigReplication;
  readonly #runtimeReplication: RuntimeReplication;
  readonly #oncePerUid = new OncePerUid();

  constructor(config: ConfigStore, runtime: RuntimeStore, alarms: AlarmService, ports: DataPorts) {
    this.config = config;
    this.runtime = runtime;
    this.alarms = alarms;
    this.#p = ports;
    this.#versions = new VersionClock(ports.nodeId, () => ports.clock.now());
    for (const value of runtime.all()) this.#versions.observe(value.version);
    // Past every stored alarm stamp too: a new occurrence must order after those this node has seen.
    for (const alarm of alarms.store.all()) this.#versions.observe(alarm.version);
    this.#configReplication = new ConfigReplication(config, runtime, ports);
    this.#runtimeReplication = new RuntimeReplication(ports);
    this.#memoryTags = new MemoryTags(config);
  }

  // ---- operations (the API calls these on the active node) ----

  async putConfig(kind: ConfigKind, key: string, definition: unknown): Promise<void> {
    await this.#configReplication.commit('put', kind, key, definition);
  }

  /** Many puts of one kind, all or none (the dashboard's CSV import; ConfigReplication.commitAll). */
  async putConfigAll(kind: ConfigKind, items: readonly ConfigItem[]): Promise<void> {
    await this.#configReplication.commitAll('put', kind, items);
  }

  async deleteConfig(kind: ConfigKind, key: string): Promise<boolean> {
    if (this.config.get(kind, key) === undefined) return false;
    await this.#configReplication.commit('delete', kind, key, null);
    if (kind === 'tag') this.runtime.forget(key);
    return true;
  }

  readTag(
    name: string,
  ): TagValue | { name: string; value: null; quality: 'uncertain'; ts: null } | undefined {
    if (!this.config.getTag(name)) return undefined;
    return this.runtime.get(name) ?? { name, value: null, quality: 'uncertain', ts: null };
  }

  /** Writes a tag at most once per uid across the pair; a repeat answers the first result. */
  async writeTag(
    name: string,
    value: unknown,
    uid: string | undefined,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const commandUid = uid ?? randomUUID();
    return this.#oncePerUid.run(commandUid, () => this.#writeTag(name, value, commandUid));
  }

  async #writeTag(
    name: string,
    value: unknown,
    commandUid: string,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const command = JSON.stringify({ write: name, value });
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return this.#repeat(seen, command);
    const definition = this.config.getTag(name);
    if (!definition) throw new DataError('NOT_FOUND', `no tag "${name}"`);
    if (!isWritable(definition))
      throw new DataError('READ_ONLY', `tag "${name}" is read-only (source: ${definition.source.kind})`);
    const problem = valueProblem(definition, value);
    if (problem) throw new DataError('BAD_REQUEST', problem);
    if (definition.source.kind === 'modbus') {
      const failure = await this.#p.writeDevice(name, value as TagValue['value']).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      if (failure !== null) {
        // The device may have taken it before failing: the uid is spent, a retry answers this failure.
        const result = JSON.stringify({ ok: false, error: failure });
        const entry: LedgerEntry = { uid: commandUid, command, result, at: this.#p.clock.now() };
        this.runtime.recordLedger([entry]);
        await this.#runtimeReplication.replicate({ values: [], ledger: [entry], alarms: [] });
        throw new DataError('DEVICE_FAULT', `tag "${name}": the device did not take the write: ${failure}`);
      }
    }
    const now = this.#p.clock.now();
    const tagValue: TagValue = {
      name,
      value: value as TagValue['value'],
      quality: 'good',
      ts: this.#laterThanCurrent(name, now),
      version: this.#version(),
    };
    const entry: LedgerEntry = { uid: commandUid, command, result: JSON.stringify({ ok: true }), at: now };
    const alarms = this.#storing((historize) => {
      this.runtime.merge([tagValue]);
      historize([tagValue]);
      this.runtime.recordLedger([entry]);
      return this.alarms.evaluate([tagValue], now, () => this.#version());
    });
    this.#p.changed([tagValue], alarms);
    await this.#runtimeReplication.replicate({ values: [tagValue], ledger: [entry], alarms });
    return { ok: true, uid: commandUid, executed: true };
  }

  /**
   * Values a driver polled on the active node: stored, evaluated for alarms, replicated without waiting.
   * Answers them as stored, each stamped later than its tag's value before (#laterThanCurrent).
   */
  publishPolled(
    polled: readonly { name: string; value: TagValue['value']; quality: TagValue['quality']; ts: number }[],
  ): readonly TagValue[] {
    const values = polled.map((p) => ({
      ...p,
      ts: this.#laterThanCurrent(p.name, p.ts),
      version: this.#version(),
    }));
    const alarms = this.#atomically(() => {
      this.runtime.merge(values);
      return this.alarms.evaluate(values, this.#p.clock.now(), () => this.#version());
    });
    this.#p.changed(values, alarms);
    if (this.#p.linked()) this.#runtimeReplication.send({ values, ledger: [], alarms });
    return values;
  }

  /**
   * A tag's new value is later than the one it replaces (docs/redundancy.md "Clock skew"): two values of a tag
   * in one millisecond would be one history sample, the second dropped as a copy of the first. While the pair
   * clock held still, that lost 398 acknowledged writes' samples (npm run chaos seed 293741).
   */
  #laterThanCurrent(name: string, ts: number): number {
    const current = this.runtime.get(name)?.ts;
    return current !== undefined && current !== null && current >= ts ? current + 1 : ts;
  }

  /** Acknowledges an alarm at most once per uid across the pair. */
  async ackAlarm(
    id: string,
    by: string,
    uid: string | undefined,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const commandUid = uid ?? randomUUID();
    return this.#oncePerUid.run(commandUid, () => this.#ackAlarm(id, by, commandUid));
  }

  async #ackAlarm(
    id: string,
    by: string,
    commandUid: string,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const command = JSON.stringify({ ack: id, by });
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return this.#repeat(seen, command);
    if (this.config.get('alarm-rule', id) === undefined) throw new DataError('NOT_FOUND', `no alarm "${id}"`);
    const now = this.#p.clock.now();
    const entry: LedgerEntry = {
      uid: commandUid,
      command,
      result: JSON.stringify({ ok: true }),
      at: now,
    };
    const acked = this.#atomically(() => {
      const state = this.alarms.acknowledge(id, by, now, () => this.#version());
      if (!state)
        throw new DataError(
          'BAD_REQUEST',
          `alarm "${id}" has not been raised, so there is nothing to acknowledge`,
        );
      this.runtime.recordLedger([entry]);
      return state;
    });
    this.#p.changed([], [acked]);
    await this.#runtimeReplication.replicate({ values: [], ledger: [entry], alarms: [acked] });
    return { ok: true, uid: commandUid, executed: true };
  }

  /**
   * A repeat answers the first result once the standby holds the command too (Durability): the first answer
   * may have gone out without it (the link was down), this one is given with the peer connected (found by the
   * simulation, seed 123). The peer's ack of this frame covers everything sent before it on the link.
   * The uid of a different command is refused (uidReused).
   */
  async #repeat(
    entry: LedgerEntry,
    command: string,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    if (entry.command !== command) throw uidReused(entry, command);
    await this.#runtimeReplication.replicate({ values: [], ledger: [entry], alarms: [] });
    return { ...(JSON.parse(entry.result) as { ok: boolean }), uid: entry.uid, executed: false };
  }

  /** Memory tags are written, never polled: their values' samples go with them (DataPorts.historize). */
  #historize(values: readonly TagValue[]): void {
    if (!this.#p.historize) return;
    const memory = this.#memoryTags.of(values);
    if (memory.length > 0) this.#p.historize(memory);
  }

  /**
   * #atomically with the memory tags' samples. A damaged page of history must not stop the pair's values:
   * where storing the samples fails on one, the transaction, undone whole, runs again without them (a failed
   * write leaves SQLite's transaction unusable, so a savepoint cannot undo only the samples). Damage the second
   * run meets too is the values' own, and thrown. The store thread reports the damage (store/store-thread.ts).
   */
  #storing<T>(work: (historize: (values: readonly TagValue[]) => void) => T): T {
    try {
      return this.#atomically(() => work((values) => this.#historize(values)));
    } catch (error) {
      if (storageFailure(error)?.kind !== 'damaged' || !this.#p.historize) throw error;
      const result = this.#atomically(() => work(() => undefined));
      this.#p.historyDamaged?.(error);
      return result;
    }
  }

  /** One transaction of values, ledger and alarm states; refused, it puts back what it changed in memory. */
  #atomically<T>(work: () => T): T {
    return this.alarms.store.restoringOnFailure(() => this.runtime.atomically(work));
  }

  #version(): Version {
    return this.#versions.next(this.#p.epoch());
  }

  reapplyConflict(id: string): Promise<ConfigConflict | undefined> {
    return this.#configReplication.reapplyConflict(id);
  }

  discardConflict(id: string): ConfigConflict | undefined {
    return this.#configReplication.discardConflict(id);
  }

  // ---- replication ----

  /** The link is up: exchange runtime data both ways; a follower tells the active node where its config is. */
  onLinkUp(peerActive: boolean): void {
    this.#endLink();
    this.#runtimeReplication.send(this.#everything());
    this.#configReplication.onLinkUp(peerActive);
  }

  onLinkDown(): void {
    this.#endLink();
    this.#configReplication.onLinkDown();
  }

  /** Where each side's config stands and how long the last acknowledged runtime change took to reach the peer. */
  syncView(): {
    configSeq: number;
    peerConfigSeq: number | null;
    runtimeLagMs: number | null;
    conflicts: number;
  } {
    return {
      configSeq: this.config.head().seq,
      peerConfigSeq: this.#configReplication.peerSeq,
      runtimeLagMs: this.#runtimeReplication.lagMs,
      conflicts: this.config.conflicts.count(),
    };
  }

  sendConfigHead(): void {
    this.#configReplication.sendHead();
  }

  /** What a node pulling from its active peer (automatic recovery) asks for; see ConfigReplication. */
  pullRequest(): PeerFrame {
    return this.#configReplication.pullRequest();
  }

  /** This node's status changed: one that is no longer active sends what waits before anything else. */
  statusChanged(status: 'starting' | 'active' | 'standby' | 'stopping'): void {
    if (status !== 'active') this.#configReplication.standDown();
  }

  /** Everything this node holds that a node pulling from it (automatic recovery) needs. */
  answerPull(head: ConfigHead, unshared?: { since: number; changes: readonly ConfigChange[] }): void {
    this.#configReplication.answerFollower(head, unshared);
    this.#runtimeReplication.send(this.#everything());
  }

  /**
   * A frame of config replication or of the runtime data. The router hands this service only those
   * (DATA_FRAMES); a test that delivers every frame of a link here has the others ignored.
   */
  onFrame(frame: PeerFrame): void {
    if (isDataFrame(frame)) dispatchFrame(this.#handlers, frame);
  }

  readonly #handlers: FrameHandlers<DataFrame> = {
    ...handlersFor<ConfigFrame>(CONFIG_FRAMES, (frame) => this.#configReplication.onFrame(frame)),
    runtime: (frame) => {
      this.#observeVersions(frame.values, frame.alarms);
      const [values, alarms] = this.#storing((historize) => {
        const won = this.runtime.merge(frame.values);
        historize(won);
        this.runtime.recordLedger(frame.ledger);
        return [won, this.alarms.store.merge(frame.alarms)] as const;
      });
      if (values.length > 0 || alarms.length > 0) this.#p.changed(values, alarms);
      // The active node answers its caller on this ack: only once it is on this node's disk.
      if (frame.ackId) this.#runtimeReplication.acknowledge(frame.ackId);
    },
    'runtime-ack': (frame) => this.#runtimeReplication.onAck(frame.ackId),
  };

  /**
   * The link the waiting callers counted on is gone (or replaced): nothing is in flight any more, and every
   * caller waiting for the peer is answered (config changes stand as stored here).
   */
  #endLink(): void {
    const waiting = [...this.#configReplication.endLink(), ...this.#runtimeReplication.endLink()];
    for (const release of waiting) release();
  }

  #everything(): RuntimeBatch {
    return { values: this.runtime.all(), ledger: this.runtime.ledger(), alarms: this.alarms.store.all() };
  }

  /** Moves the clock past the newest version in a frame (one comparison per item, one parse per frame). */
  #observeVersions(values: readonly TagValue[], alarms: readonly { version: Version }[]): void {
    let newest: string | null = null;
    let epoch = 0;
    const see = ({ version }: { version: Version }): void => {
      if (newest === null || version.hlc > newest) newest = version.hlc;
      if (version.epoch > epoch) epoch = version.epoch;
    };
    values.forEach(see);
    alarms.forEach(see);
    if (newest !== null) this.#versions.observe({ epoch, hlc: newest });
  }
}
