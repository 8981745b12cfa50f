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

export interface DataPorts {
  readonly nodeId: string;
  readonly clock: Clock;
  send(frame: PeerFrame): void;
  /** The peer link is up (hello exchanged). */
  linked(): boolean;
  isActive(): boolean;
  epoch(): number;
  fullResync(reason: string): void;
}

const RUNTIME_CHUNK = 10_000;

export class DataService {
  readonly config: ConfigStore;
  readonly runtime: RuntimeStore;
  readonly #p: DataPorts;
  readonly #hlc: HybridClock;
  /** Callers waiting for the peer to have stored a change, by config seq or runtime ack id. */
  readonly #waiting = new Map<string, () => void>();

  constructor(config: ConfigStore, runtime: RuntimeStore, ports: DataPorts) {
    this.config = config;
    this.runtime = runtime;
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
    const now = this.#p.clock.now();
    const tagValue: TagValue = {
      name,
      value: value as TagValue['value'],
      quality: 'good',
      ts: now,
      version: { epoch: this.#p.epoch(), hlc: this.#hlc.tick() },
    };
    const entry: LedgerEntry = {
      uid: commandUid,
      command: JSON.stringify({ write: name, value }),
      result: JSON.stringify({ ok: true }),
      at: now,
    };
    this.runtime.atomically(() => {
      this.runtime.merge([tagValue]);
      this.runtime.recordLedger([entry]);
    });
    await this.#replicateRuntime([tagValue], [entry]);
    return { ok: true, uid: commandUid, executed: true };
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
    this.#sendRuntime(this.runtime.all(), this.runtime.ledger(), null);
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
    this.#sendRuntime(this.runtime.all(), this.runtime.ledger(), null);
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
        this.runtime.atomically(() => {
          this.runtime.merge(frame.values);
          this.runtime.recordLedger(frame.ledger);
        });
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

  async #replicateRuntime(values: TagValue[], ledger: LedgerEntry[]): Promise<void> {
    if (!this.#p.linked()) return;
    const ackId = randomUUID();
    const stored = this.#waitFor(`runtime:${ackId}`);
    this.#sendRuntime(values, ledger, ackId);
    await stored;
  }

  #sendRuntime(values: TagValue[], ledger: LedgerEntry[], ackId: string | null): void {
    const chunks = Math.max(1, Math.ceil(Math.max(values.length, ledger.length) / RUNTIME_CHUNK));
    for (let i = 0; i < chunks; i++) {
      this.#p.send({
        t: 'runtime',
        values: values.slice(i * RUNTIME_CHUNK, (i + 1) * RUNTIME_CHUNK),
        ledger: ledger.slice(i * RUNTIME_CHUNK, (i + 1) * RUNTIME_CHUNK),
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
