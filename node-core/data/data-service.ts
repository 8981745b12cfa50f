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
import { estimateBytes, FRAME_BUDGET_BYTES, splitByBudget } from './frame-parts.ts';
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

/** Most items in one frame (the frame schema allows more); frames are also cut by size (frame-parts.ts). */
const RUNTIME_CHUNK = 10_000;
const CONFIG_CHUNK = 10_000;
const SNAPSHOT_CHUNK = 100_000;

type SnapshotItem = ConfigSnapshot['items'][number];

export class DataService {
  readonly config: ConfigStore;
  readonly runtime: RuntimeStore;
  readonly alarms: AlarmService;
  readonly #p: DataPorts;
  #peerConfigSeq: number | null = null;
  #runtimeLagMs: number | null = null;
  readonly #hlc: HybridClock;
  /**
   * Config replication on the current link (group commit). At most one batch of changes is in flight: a
   * change committed while one is on its way waits in the outbox, and all of them go out together when the
   * peer acknowledges, in one frame (one transaction on the peer, one `config-ack` for all).
   */
  #configSent = 0;
  #configAcked = 0;
  #outbox: ConfigChange[] = [];
  #flushQueued = false;
  /** Callers waiting for the peer to have stored their config change, in the order of their seq. */
  #configWaiting: {
    readonly seq: number;
    readonly release: () => void;
    readonly fail: (error: unknown) => void;
  }[] = [];
  /** Callers waiting for the peer to have stored a runtime batch, by ack id. */
  readonly #runtimeWaiting = new Map<string, () => void>();
  /** Commands running on this node, by uid (settles when the call ends, whatever its outcome). */
  readonly #running = new Map<string, Promise<void>>();
  /** Parts of a config snapshot that came in several frames; loaded together when the last one is here. */
  #snapshotParts: { head: ConfigHead; items: SnapshotItem[] } | null = null;

  constructor(config: ConfigStore, runtime: RuntimeStore, alarms: AlarmService, ports: DataPorts) {
    this.config = config;
    this.runtime = runtime;
    this.alarms = alarms;
    this.#p = ports;
    this.#hlc = new HybridClock(ports.nodeId, () => ports.clock.now());
    for (const value of runtime.all()) this.#hlc.observe(value.version.hlc);
    config.whenLost((changes, error) => this.#lost(changes, error));
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
    return this.#oncePerUid(commandUid, () => this.#writeTag(name, value, commandUid));
  }

  async #writeTag(
    name: string,
    value: unknown,
    commandUid: string,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return this.#repeat(seen);
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
    return this.#oncePerUid(commandUid, () => this.#ackAlarm(id, by, commandUid));
  }

  async #ackAlarm(
    id: string,
    by: string,
    commandUid: string,
  ): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    const seen = this.runtime.ledgerEntry(commandUid);
    if (seen) return this.#repeat(seen);
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

  /**
   * Commands: a node executes a uid at most once. A repeat that arrives while the first call still runs (a
   * device write, the wait for the standby) waits for it, then answers from the ledger: side by side, both
   * would pass the ledger check and execute (found by the simulation, seed 88).
   */
  #oncePerUid<T>(uid: string, run: () => Promise<T>): Promise<T> {
    const before = this.#running.get(uid);
    const result = before ? before.then(run) : run();
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(uid, settled);
    void settled.then(() => {
      if (this.#running.get(uid) === settled) this.#running.delete(uid);
    });
    return result;
  }

  /**
   * A repeat answers the first result once the standby holds the command too (Durability): the first answer
   * may have gone out without it (the link was down), this one is given with the peer connected (found by the
   * simulation, seed 123). The peer's ack of this frame covers everything sent before it on the link.
   */
  async #repeat(entry: LedgerEntry): Promise<{ ok: boolean; uid: string; executed: boolean }> {
    await this.#replicateRuntime({ values: [], ledger: [entry], alarms: [] });
    return { ...(JSON.parse(entry.result) as { ok: boolean }), uid: entry.uid, executed: false };
  }

  #version(): { epoch: number; hlc: string } {
    return { epoch: this.#p.epoch(), hlc: this.#hlc.tick() };
  }

  async reapplyConflict(id: string): Promise<ConfigConflict | undefined> {
    const conflict = this.config.takeConflict(id, this.#p.clock.now());
    if (!conflict) return undefined;
    this.#p.send({ t: 'config-conflict-resolved', id });
    await this.#commitConfig(conflict.op, conflict.kind, conflict.key, conflict.value);
    return conflict;
  }

  discardConflict(id: string): ConfigConflict | undefined {
    const conflict = this.config.takeConflict(id, this.#p.clock.now());
    if (conflict) this.#p.send({ t: 'config-conflict-resolved', id });
    return conflict;
  }

  // ---- replication ----

  /** The link is up: exchange runtime data both ways; a follower tells the active node where its config is. */
  onLinkUp(peerActive: boolean): void {
    this.#endLink();
    this.#sendRuntime(this.#everything(), null);
    // The conflict set belongs to both nodes, and an operator re-applies on the active one; the frame that
    // carried it may have been lost with a link (found by the simulation, seed 254).
    // With it go the ids resolved here, so that the peer drops its copy of those instead of sending them back.
    const conflicts = this.config.conflictChanges();
    const resolved = this.config.resolvedConflictIds();
    if (conflicts.length > 0 || resolved.length > 0)
      this.#p.send({ t: 'config-conflicts', changes: conflicts, resolved });
    if (peerActive && !this.#p.isActive()) this.sendConfigHead();
  }

  onLinkDown(): void {
    this.#endLink();
    this.#peerConfigSeq = null;
  }

  /** Where each side's config stands and how long the last acknowledged runtime change took to reach the peer. */
  syncView(): { configSeq: number; peerConfigSeq: number | null; runtimeLagMs: number | null } {
    return {
      configSeq: this.config.head().seq,
      peerConfigSeq: this.#peerConfigSeq,
      runtimeLagMs: this.#runtimeLagMs,
    };
  }

  sendConfigHead(): void {
    this.#p.send({ t: 'config-head', head: this.config.head() });
  }

  /** What the peer needs to follow this node from `head`: the missing changes, or a full snapshot. */
  answerFollower(head: ConfigHead): void {
    const mine = this.config.head();
    // Whatever waited in the outbox is part of this answer (every change here is at or below `mine`).
    this.#outbox = [];
    // A follower that holds nothing gets a copy of the items rather than a replay of the whole log (never
    // more rows, often far fewer); having no changes of its own, it has nothing that could conflict.
    const changes = head.seq === 0 && mine.seq > 0 ? null : this.config.changesAfter(head);
    if (changes === null) {
      const snapshot = this.config.snapshot();
      const parts = splitByBudget(snapshot.items, snapshotItemBytes, SNAPSHOT_CHUNK);
      parts.forEach((items, i) =>
        this.#p.send({
          t: 'config-snapshot',
          head: snapshot.head,
          items,
          ...(i < parts.length - 1 ? { more: true } : {}),
        }),
      );
      this.#configSent = Math.max(this.#configSent, snapshot.head.seq);
    } else if (changes.length > 0) {
      this.#sendChanges(changes);
    } else {
      // The follower holds exactly this node's history, so every change here is stored there.
      this.#configStored(mine.seq);
    }
  }

  /** Everything this node holds that a node pulling from it (automatic recovery) needs. */
  answerPull(head: ConfigHead): void {
    this.answerFollower(head);
    this.#sendRuntime(this.#everything(), null);
  }

  onFrame(frame: PeerFrame): void {
    this.#notePeerConfigSeq(frame);
    switch (frame.t) {
      case 'config-head':
        if (this.#p.isActive()) this.answerFollower(frame.head);
        return;
      case 'config-changes':
        return this.#applyChanges(frame.changes);
      case 'config-snapshot':
        return this.#receiveSnapshot(frame.head, frame.items, frame.more === true);
      case 'config-ack':
        this.config.markCommon(Math.min(frame.seq, this.config.head().seq));
        // An ack answers only changes that went out on this link: one still staged here is not the peer's.
        this.#configStored(Math.min(frame.seq, this.#configSent));
        return;
      case 'config-conflicts':
        for (const id of frame.resolved ?? []) this.config.takeConflict(id, this.#p.clock.now());
        this.config.recordConflicts(frame.changes, this.#p.clock.now());
        return;
      case 'config-conflict-resolved':
        this.config.takeConflict(frame.id, this.#p.clock.now());
        return;
      case 'runtime': {
        this.#observeVersions(frame.values, frame.alarms);
        const [values, alarms] = this.runtime.atomically(() => {
          const won = this.runtime.merge(frame.values);
          this.runtime.recordLedger(frame.ledger);
          return [won, this.alarms.store.merge(frame.alarms)] as const;
        });
        if (values.length > 0 || alarms.length > 0) this.#p.changed(values, alarms);
        if (frame.ackId) this.#p.send({ t: 'runtime-ack', ackId: frame.ackId });
        return;
      }
      case 'runtime-ack': {
        const release = this.#runtimeWaiting.get(frame.ackId);
        this.#runtimeWaiting.delete(frame.ackId);
        release?.();
        return;
      }
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
    // Staged: in the log and seen by every read now, stored with the others of its batch (group commit).
    const change = this.config.stage(
      op,
      kind,
      key,
      definition,
      this.#p.epoch(),
      this.#p.nodeId,
      this.#p.clock.now(),
    );
    if (!this.#p.linked()) {
      this.config.persist();
      return;
    }
    const stored = new Promise<void>((release, fail) =>
      this.#configWaiting.push({ seq: change.seq, release, fail }),
    );
    this.#outbox.push(change);
    if (this.#configAcked >= this.#configSent) this.#queueFlush();
    await stored;
  }

  /**
   * Sends the outbox once the microtasks queued so far have run, so that changes made together leave
   * together: callers answered by one ack that go on with their next change would otherwise send the first
   * of them alone and the rest one round trip later (half the throughput, twice the latency). Microtasks
   * keep it deterministic (no timer; the simulation drains them after every step).
   */
  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (this.#configAcked >= this.#configSent) this.#flushOutbox();
    });
  }

  /**
   * Stores what waits in the outbox (one transaction) and sends it (one frame): it becomes the batch in
   * flight. Nothing is sent that is not stored here first.
   */
  #flushOutbox(): void {
    const changes = this.#outbox;
    if (changes.length === 0) return;
    if (!this.#persisted()) return;
    this.#outbox = [];
    this.#sendChanges(changes);
  }

  /** Stores the staged changes; false if that failed (their callers have been told, by `#lost`). */
  #persisted(): boolean {
    try {
      this.config.persist();
      return true;
    } catch {
      return false;
    }
  }

  /** Staged changes the database would not take: they are not in the log, and their callers get the error. */
  #lost(changes: readonly ConfigChange[], error: unknown): void {
    const seqs = new Set(changes.map((c) => c.seq));
    this.#outbox = this.#outbox.filter((c) => !seqs.has(c.seq));
    const failed = this.#configWaiting.filter((w) => seqs.has(w.seq));
    this.#configWaiting = this.#configWaiting.filter((w) => !seqs.has(w.seq));
    for (const w of failed)
      w.fail(new Error(`config change ${w.seq} could not be stored on this node`, { cause: error }));
  }

  #sendChanges(changes: readonly ConfigChange[]): void {
    for (const part of splitByBudget(changes, changeBytes, CONFIG_CHUNK))
      this.#p.send({ t: 'config-changes', changes: part });
    this.#configSent = Math.max(this.#configSent, changes.at(-1)?.seq ?? 0);
  }

  /** The peer holds every change up to `seq`: their callers are answered, and the next batch goes out. */
  #configStored(seq: number): void {
    this.#configAcked = Math.max(this.#configAcked, seq);
    const released: (() => void)[] = [];
    this.#configWaiting = this.#configWaiting.filter((w) => {
      if (w.seq > seq) return true;
      released.push(w.release);
      return false;
    });
    if (this.#configAcked >= this.#configSent) this.#flushOutbox();
    for (const release of released) release();
  }

  /**
   * The link the waiting callers counted on is gone (or replaced): nothing is in flight any more. Nobody is
   * left to store their changes, so the local commits stand and every caller is answered.
   */
  #endLink(): void {
    // Answered as stored here: so stored here first (a failure answers those callers with the error).
    this.#persisted();
    const waiting = [...this.#configWaiting.map((w) => w.release), ...this.#runtimeWaiting.values()];
    this.#configSent = 0;
    this.#configAcked = 0;
    this.#outbox = [];
    this.#configWaiting = [];
    this.#runtimeWaiting.clear();
    this.#snapshotParts = null;
    for (const release of waiting) release();
  }

  #applyChanges(changes: readonly ConfigChange[]): void {
    if (this.#p.isActive()) return;
    const { head, stoppedAt, applied } = this.config.applyReplicated(changes);
    // A deleted tag's value goes with it, here as on the active node.
    for (const c of applied) if (c.op === 'delete' && c.kind === 'tag') this.runtime.forget(c.key);
    if (stoppedAt !== null) {
      // A gap, a checksum that does not follow, or an unknown epoch: ask for everything.
      this.#p.fullResync(`config change ${stoppedAt} does not follow ${head.seq}`);
      this.#p.send({ t: 'config-head', head });
      return;
    }
    // One acknowledgement for the whole frame: it answers every change up to the head.
    this.#p.send({ t: 'config-ack', seq: head.seq });
  }

  #receiveSnapshot(head: ConfigHead, items: readonly SnapshotItem[], more: boolean): void {
    if (this.#p.isActive()) return;
    const parts = this.#snapshotParts;
    const sameSnapshot =
      parts !== null && parts.head.seq === head.seq && parts.head.checksum === head.checksum;
    const all = sameSnapshot ? parts.items : [];
    for (const item of items) all.push(item);
    if (more) {
      this.#snapshotParts = { head, items: all };
      return;
    }
    this.#snapshotParts = null;
    this.#applySnapshot(head, all);
  }

  #applySnapshot(head: ConfigHead, items: ConfigSnapshot['items']): void {
    // Changes this node made while the pair was split leave its log with the snapshot and are kept for an
    // operator on both nodes, not dropped: in the same transaction, or a crash in between would lose them.
    const diverged = this.runtime.atomically(() => {
      const tagsBefore = this.config.list('tag').map((t) => t.key);
      const dropped = this.config.loadSnapshot({ head, items }, this.#p.nodeId);
      if (dropped.length > 0) this.config.recordConflicts(dropped, this.#p.clock.now());
      // A tag the active node deleted takes its value with it, as there. A tag made here during a split is
      // in the conflict set now, and keeps its value for when an operator applies it again.
      const kept = new Set(this.config.list('tag').map((t) => t.key));
      for (const c of dropped) if (c.kind === 'tag') kept.add(c.key);
      for (const name of tagsBefore) if (!kept.has(name)) this.runtime.forget(name);
      return dropped;
    });
    if (diverged.length > 0) this.#p.send({ t: 'config-conflicts', changes: diverged });
    this.#p.fullResync(`config snapshot at change ${head.seq} (${items.length} items)`);
    this.#p.send({ t: 'config-ack', seq: head.seq });
    // Changes made here that still wait (sent to a peer that was active too, or in the outbox) are in the
    // snapshot or in the conflict set now: no ack will come for them, so their callers are answered and
    // nothing of this node's is in flight any more (found by the simulation, seed 635).
    const waiting = this.#configWaiting;
    this.#configWaiting = [];
    this.#outbox = [];
    this.#configSent = 0;
    this.#configAcked = 0;
    for (const w of waiting) w.release();
  }

  async #replicateRuntime(batch: RuntimeBatch): Promise<void> {
    if (!this.#p.linked()) return;
    const ackId = randomUUID();
    const sentAt = this.#p.clock.now();
    const stored = new Promise<void>((release) => this.#runtimeWaiting.set(ackId, release));
    this.#sendRuntime(batch, ackId);
    await stored;
    if (this.#p.linked()) this.#runtimeLagMs = this.#p.clock.now() - sentAt;
  }

  /** The peer's config position, as its frames tell it (acks from a follower, changes from the active node). */
  #notePeerConfigSeq(frame: PeerFrame): void {
    if (frame.t === 'config-ack') this.#peerConfigSeq = frame.seq;
    else if (frame.t === 'config-head' || frame.t === 'config-snapshot') this.#peerConfigSeq = frame.head.seq;
    else if (frame.t === 'config-changes' && frame.changes.length > 0)
      this.#peerConfigSeq = Math.max(this.#peerConfigSeq ?? 0, frame.changes.at(-1)!.seq);
  }

  #everything(): RuntimeBatch {
    return { values: this.runtime.all(), ledger: this.runtime.ledger(), alarms: this.alarms.store.all() };
  }

  /** Sends a batch in as few frames as the size allows; the ack id (if any) rides on the last one. */
  #sendRuntime(batch: RuntimeBatch, ackId: string | null): void {
    let frame: { values: TagValue[]; ledger: LedgerEntry[]; alarms: AlarmState[] } = {
      values: [],
      ledger: [],
      alarms: [],
    };
    let items = 0;
    let bytes = 0;
    const add = (size: number): void => {
      if (items > 0 && (items >= RUNTIME_CHUNK || bytes + size > FRAME_BUDGET_BYTES)) {
        this.#p.send({ t: 'runtime', ...frame, ackId: null });
        frame = { values: [], ledger: [], alarms: [] };
        items = 0;
        bytes = 0;
      }
      items++;
      bytes += size;
    };
    for (const v of batch.values) {
      add(valueBytes(v));
      frame.values.push(v);
    }
    for (const e of batch.ledger) {
      add(estimateBytes([e.uid, e.command, e.result], 64));
      frame.ledger.push(e);
    }
    for (const a of batch.alarms) {
      add(estimateBytes([a.id, a.ackedBy, a.version.hlc], 256));
      frame.alarms.push(a);
    }
    this.#p.send({ t: 'runtime', ...frame, ackId });
  }

  /** Moves the clock past the newest version in a frame (one comparison per item, one parse per frame). */
  #observeVersions(values: readonly TagValue[], alarms: readonly AlarmState[]): void {
    let newest: string | null = null;
    for (const v of values) if (newest === null || v.version.hlc > newest) newest = v.version.hlc;
    for (const a of alarms) if (newest === null || a.version.hlc > newest) newest = a.version.hlc;
    if (newest !== null) this.#hlc.observe(newest);
  }
}

function changeBytes(c: ConfigChange): number {
  return estimateBytes([c.origin, c.key, c.value, c.checksum], 160);
}

function snapshotItemBytes(item: SnapshotItem): number {
  return estimateBytes([item.key, item.definition], 48);
}

function valueBytes(v: TagValue): number {
  return estimateBytes([v.name, typeof v.value === 'string' ? v.value : null, v.version.hlc], 128);
}
