/**
 * The gateway data the pair protects, and its replication (behaviour.md "Data", "Commands").
 * Config flows from the active node to its follower; runtime data flows both ways. With the peer
 * connected, a change is acknowledged to its caller only after the peer has stored it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { PeerFrame } from '../peer/index.ts';
import {
  ConfigStore,
  type ConfigChange,
  type ConfigConflict,
  type ConfigHead,
  type ConfigKind,
  type ConfigSnapshot,
} from './config-store.ts';
import { RuntimeStore, type LedgerEntry, type TagValue } from './runtime-store.ts';
import { isWritable, valueProblem } from './tag-definition.ts';
import { HybridClock } from './version.ts';
import { DataError } from './data-error.ts';
import type { AlarmService } from './alarm-service.ts';
import type { AlarmState } from './alarm-store.ts';

/** What one runtime frame carries; alarm states travel with the values that caused them. */
interface RuntimeBatch {
  readonly values: readonly TagValue[];
  readonly ledger: readonly LedgerEntry[];
  readonly alarms: readonly AlarmState[];
}

export interface DataPorts {
  readonly nodeId: string;
  readonly clock: Clock;
  send(frame: PeerFrame): void;
  /** The peer link is up (hello exchanged). */
  linked(): boolean;
  isActive(): boolean;
  epoch(): number;
  fullResync(reason: string): void;
  /** Values and alarm states that changed here (local or from the peer), for live subscribers. */
  changed(values: readonly TagValue[], alarms: readonly AlarmState[]): void;
  /** Writes a value to the device behind a tag (rejects with the device's reason). */
  writeDevice(name: string, value: TagValue['value']): Promise<void>;
}

const RUNTIME_CHUNK = 10_000;

export class DataService {
  readonly config: ConfigStore;
  readonly runtime: RuntimeStore;
  readonly alarms: AlarmService;
  readonly #p: DataPorts;
  readonly #hlc: HybridClock;
  /** Callers waiting for the peer to have stored a change, by config seq or runtime ack id. */
  readonly #waiting = new Map<string, () => void>();

  constructor(config: ConfigStore, runtime: RuntimeStore, alarms: AlarmService, ports: DataPorts) {
    this.config = config;
    this.runtime = runtime;
    this.alarms = alarms;
    this.#p = ports;
    this.#hlc = new HybridClock(ports.nodeId, () => ports.clock.now());
    for (const value of runtime.all()) this.#hlc.observe(value.version.hlc);
  }

  // ---- operations (the API calls these on the active node) ----

  async putConfig(kind: ConfigKind, key: string, definition: unknown): Promise<void> {
    await this.#commitConfig('put', kind, key, definition);
  }

  async deleteConfig(kind: ConfigKind, key: string): Promise<boolean> {
    if (this.config.get(kind, key) === undefined) return false;
    await this.#commitConfig('delete', kind, key, null);
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
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return { ...(JSON.parse(seen.result) as { ok: boolean }), uid: commandUid, executed: false };
    const definition = this.config.getTag(name);
    if (!definition) throw new DataError('NOT_FOUND', `no tag "${name}"`);
    if (!isWritable(definition))
      throw new DataError('READ_ONLY', `tag "${name}" is read-only (source: ${definition.source.kind})`);
    const problem = valueProblem(definition, value);
    if (problem) throw new DataError('BAD_REQUEST', problem);
    const command = JSON.stringify({ write: name, value });
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
        await this.#replicateRuntime({ values: [], ledger: [entry], alarms: [] });
        throw new DataError('DEVICE_FAULT', `tag "${name}": the device did not take the write: ${failure}`);
      }
    }
    const now = this.#p.clock.now();
    const tagValue: TagValue = {
      name,
      value: value as TagValue['value'],
      quality: 'good',
      ts: now,
      version: this.#version(),
    };
    const entry: LedgerEntry = { uid: commandUid, command, result: JSON.stringify({ ok: true }), at: now };
    const alarms = this.runtime.atomically(() => {
      this.runtime.merge([tagValue]);
      this.runtime.recordLedger([entry]);
      return this.alarms.evaluate([tagValue], now, () => this.#version());
    });
    this.#p.changed([tagValue], alarms);
    await this.#replicateRuntime({ values: [tagValue], ledger: [entry], alarms });
    return { ok: true, uid: commandUid, executed: true };
  }

  /** Values a driver polled on the active node: stored, evaluated for alarms, replicated without waiting. */
  publishPolled(
    polled: readonly { name: string; value: TagValue['value']; quality: TagValue['quality']; ts: number }[],
  ): void {
    const values = polled.map((p) => ({ ...p, version: this.#version() }));
    const alarms = this.runtime.atomically(() => {
      this.runtime.merge(values);
      return this.alarms.evaluate(values, this.#p.clock.now(), () => this.#version());
    });
    this.#p.changed(values, alarms);
    if (this.#p.linked()) this.#sendRuntime({ values, ledger: [], alarms }, null);
  }

  /** Acknowledges an alarm at most once per uid across the pair. */
  async ackAlarm(
    id: string,
    by: string,
    uid: string | undefined,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const commandUid = uid ?? randomUUID();
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return { ...(JSON.parse(seen.result) as { ok: boolean }), uid: commandUid, executed: false };
    if (this.config.get('alarm-rule', id) === undefined) throw new DataError('NOT_FOUND', `no alarm "${id}"`);
    const now = this.#p.clock.now();
    const entry: LedgerEntry = {
      uid: commandUid,
      command: JSON.stringify({ ack: id, by }),
      result: JSON.stringify({ ok: true }),
      at: now,
    };
    const acked = this.runtime.atomically(() => {
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
    await this.#replicateRuntime({ values: [], ledger: [entry], alarms: [acked] });
    return { ok: true, uid: commandUid, executed: true };
  }

  #version(): { epoch: number; hlc: string } {
    return { epoch: this.#p.epoch(), hlc: this.#hlc.tick() };
  }

  async reapplyConflict(id: string): Promise<ConfigConflict | undefined> {
    const conflict = this.config.takeConflict(id);
    if (!conflict) return undefined;
    this.#p.send({ t: 'config-conflict-resolved', id });
    await this.#commitConfig(conflict.op, conflict.kind, conflict.key, conflict.value);
    return conflict;
  }

  discardConflict(id: string): ConfigConflict | undefined {
    const conflict = this.config.takeConflict(id);
    if (conflict) this.#p.send({ t: 'config-conflict-resolved', id });
    return conflict;
  }

  // ---- replication ----

  /** The link is up: exchange runtime data both ways; a follower tells the active node where its config is. */
  onLinkUp(peerActive: boolean): void {
    this.#sendRuntime(this.#everything(), null);
    if (peerActive && !this.#p.isActive()) this.sendConfigHead();
  }

  onLinkDown(): void {
    // Nobody is left to store the change: the local commit stands, and callers are answered.
    for (const release of this.#waiting.values()) release();
    this.#waiting.clear();
  }

  sendConfigHead(): void {
    this.#p.send({ t: 'config-head', head: this.config.head() });
  }

  /** What the peer needs to follow this node from `head`: the missing changes, or a full snapshot. */
  answerFollower(head: ConfigHead): void {
    const changes = this.config.changesAfter(head);
    if (changes) {
      if (changes.length > 0) this.#p.send({ t: 'config-changes', changes });
    } else {
      const snapshot = this.config.snapshot();
      this.#p.send({ t: 'config-snapshot', head: snapshot.head, items: [...snapshot.items] });
    }
  }

  /** Everything this node holds that a node pulling from it (automatic recovery) needs. */
  answerPull(head: ConfigHead): void {
    this.answerFollower(head);
    this.#sendRuntime(this.#everything(), null);
  }

  onFrame(frame: PeerFrame): void {
    switch (frame.t) {
      case 'config-head':
        if (this.#p.isActive()) this.answerFollower(frame.head);
        return;
      case 'config-changes':
        return this.#applyChanges(frame.changes);
      case 'config-snapshot':
        return this.#applySnapshot(frame.head, frame.items);
      case 'config-ack':
        this.config.markCommon(Math.min(frame.seq, this.config.head().seq));
        for (const [key, release] of this.#waiting) {
          if (key.startsWith('config:') && Number(key.slice(7)) <= frame.seq) {
            this.#waiting.delete(key);
            release();
          }
        }
        return;
      case 'config-conflicts':
        this.config.recordConflicts(frame.changes, this.#p.clock.now());
        return;
      case 'config-conflict-resolved':
        this.config.takeConflict(frame.id);
        return;
      case 'runtime': {
        for (const v of frame.values) this.#hlc.observe(v.version.hlc);
        for (const a of frame.alarms) this.#hlc.observe(a.version.hlc);
        const [values, alarms] = this.runtime.atomically(() => {
          const won = this.runtime.merge(frame.values);
          this.runtime.recordLedger(frame.ledger);
          return [won, this.alarms.store.merge(frame.alarms)] as const;
        });
        if (values.length > 0 || alarms.length > 0) this.#p.changed(values, alarms);
        if (frame.ackId) this.#p.send({ t: 'runtime-ack', ackId: frame.ackId });
        return;
      }
      case 'runtime-ack':
        this.#release(`runtime:${frame.ackId}`);
        return;
      default:
        return;
    }
  }

  async #commitConfig(
    op: 'put' | 'delete',
    kind: ConfigKind,
    key: string,
    definition: unknown,
  ): Promise<void> {
    const change = this.config.commitLocal(
      op,
      kind,
      key,
      definition,
      this.#p.epoch(),
      this.#p.nodeId,
      this.#p.clock.now(),
    );
    if (!this.#p.linked()) return;
    const stored = this.#waitFor(`config:${change.seq}`);
    this.#p.send({ t: 'config-changes', changes: [change] });
    await stored;
  }

  #applyChanges(changes: readonly ConfigChange[]): void {
    if (this.#p.isActive()) return;
    for (const change of changes) {
      if (change.seq <= this.config.head().seq) continue;
      if (!this.config.applyReplicated(change)) {
        // A gap, a checksum that does not follow, or an unknown epoch: ask for everything.
        this.#p.fullResync(`config change ${change.seq} does not follow ${this.config.head().seq}`);
        this.#p.send({
          t: 'config-head',
          head: { seq: this.config.head().seq, checksum: this.config.head().checksum },
        });
        return;
      }
    }
    this.#p.send({ t: 'config-ack', seq: this.config.head().seq });
  }

  #applySnapshot(head: ConfigHead, items: ConfigSnapshot['items']): void {
    if (this.#p.isActive()) return;
    const diverged = this.config.loadSnapshot({ head, items }, this.#p.nodeId);
    if (diverged.length > 0) {
      // Changes this node made while the pair was split: kept for an operator on both nodes, not dropped.
      this.config.recordConflicts(diverged, this.#p.clock.now());
      this.#p.send({ t: 'config-conflicts', changes: diverged });
    }
    this.#p.fullResync(`config snapshot at change ${head.seq} (${items.length} items)`);
    this.#p.send({ t: 'config-ack', seq: head.seq });
  }

  async #replicateRuntime(batch: RuntimeBatch): Promise<void> {
    if (!this.#p.linked()) return;
    const ackId = randomUUID();
    const stored = this.#waitFor(`runtime:${ackId}`);
    this.#sendRuntime(batch, ackId);
    await stored;
  }

  #everything(): RuntimeBatch {
    return { values: this.runtime.all(), ledger: this.runtime.ledger(), alarms: this.alarms.store.all() };
  }

  #sendRuntime(batch: RuntimeBatch, ackId: string | null): void {
    const longest = Math.max(batch.values.length, batch.ledger.length, batch.alarms.length);
    const chunks = Math.max(1, Math.ceil(longest / RUNTIME_CHUNK));
    for (let i = 0; i < chunks; i++) {
      const part = <T>(items: readonly T[]): T[] => items.slice(i * RUNTIME_CHUNK, (i + 1) * RUNTIME_CHUNK);
      this.#p.send({
        t: 'runtime',
        values: part(batch.values),
        ledger: part(batch.ledger),
        alarms: part(batch.alarms),
        ackId: i === chunks - 1 ? ackId : null,
      });
    }
  }

  #waitFor(key: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  #release(key: string): void {
    const release = this.#waiting.get(key);
    this.#waiting.delete(key);
    release?.();
  }
}
