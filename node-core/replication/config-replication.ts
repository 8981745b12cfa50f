/**
 * Config replication on the current peer link (docs/rules.md "Data 1"): the active node's changes go to its
 * follower in order, each caller answered once the follower stored its change; a follower that does not
 * hold the active node's history gets a snapshot, and the changes it made on its side of a split are kept as
 * a conflict set on both nodes. DataService owns one of these and hands it the config frames.
 */
import { dispatchFrame, type FrameHandlers } from '../peer/frame-handlers.ts';
import type { PeerFrame } from '../peer/index.ts';
import type { ConfigConflict, ConfigStore } from '../data/config-store.ts';
import type { ConfigKind } from '../data/config-kind.ts';
import type { ConfigChange, ConfigHead, ConfigItem, ConfigSnapshot } from '../data/config-types.ts';
import { conflictError, describeSnapshotLoad, loadAsFollower, mergeUnshared } from './config-merge.ts';
import { DataError } from '../data/data-error.ts';
import type { DataPorts } from '../data/data-ports.ts';
import {
  changeFrames,
  firstFrameOf,
  peerSeqAfter,
  snapshotFrames,
  SnapshotAssembly,
  type ConfigFrame,
  type SnapshotItem,
} from './config-frames.ts';
import type { RuntimeStore } from '../data/runtime-store.ts';

export class ConfigReplication {
  readonly #config: ConfigStore;
  readonly #runtime: RuntimeStore;
  readonly #p: DataPorts;
  /**
   * Group commit. At most one batch of changes is in flight: a change committed while one is on its way
   * waits in the outbox, and all of them go out together when the peer acknowledges, in one frame (one
   * transaction on the peer, one `config-ack` for all).
   */
  #sent = 0;
  #acked = 0;
  #outbox: ConfigChange[] = [];
  #flushQueued = false;
  /** Callers waiting for the peer to have stored their change, in the order of their seq. */
  #waiting: Waiter[] = [];
  /** Bumped when a link ends: a frame that waited for the disk is not sent on the next link. */
  #linkGeneration = 0;
  /** Parts of a snapshot that came in several frames; loaded together when the last one is here. */
  readonly #snapshotParts = new SnapshotAssembly();
  /**
   * On a follower: it sent its head on this link and no answer has arrived yet. A change of the active node
   * that does not follow meanwhile is one the answer brings too (the active node sent it before it read the
   * head): it is not a reason to ask for everything again (docs/redundancy.md, "Catching up").
   */
  #headAsked = false;
  #peerSeq: number | null = null;

  constructor(config: ConfigStore, runtime: RuntimeStore, ports: DataPorts) {
    this.#config = config;
    this.#runtime = runtime;
    this.#p = ports;
    config.whenLost((changes, error) => this.#lost(changes, error));
  }

  /** The peer's config position, as its frames tell it; null while no link is up. */
  get peerSeq(): number | null {
    return this.#peerSeq;
  }

  commit(op: 'put' | 'delete', kind: ConfigKind, key: string, definition: unknown): Promise<void> {
    return this.commitAll(op, kind, [{ key, definition }]);
  }

  /**
   * Changes on the active node: in the log at once, all or none stored (one transaction; linked, one frame),
   * answered once the peer (if linked) stored them.
   */
  async commitAll(op: 'put' | 'delete', kind: ConfigKind, items: readonly ConfigItem[]): Promise<void> {
    // The route checked before, but a hand-over may have come in between: a node that is no longer active
    // takes no change (its peer may already take its own at the same place in the log).
    if (!this.#p.isActive())
      throw new DataError('NOT_ACTIVE', 'this node is no longer active; the change was not made');
    if (items.length === 0) return;
    // Staged: in the log and seen by every read now, stored with the others of its batch (group commit).
    const [epoch, origin, at] = [this.#p.epoch(), this.#p.nodeId, this.#p.clock.now()];
    const changes = items.map((i) => this.#config.stage(op, kind, i.key, i.definition, epoch, origin, at));
    if (!this.#p.linked()) {
      this.#config.persist();
      await this.#p.durable();
      return;
    }
    // A waiter per change: each one is failed on its own if it ends in the conflict set (a split lost meanwhile).
    const waiters: Waiter[] = [];
    const stored = changes.map(
      (change) =>
        new Promise<void>((release, fail) => waiters.push({ seq: change.seq, release, fail, durable: null })),
    );
    this.#waiting.push(...waiters);
    this.#outbox.push(...changes);
    if (this.#acked >= this.#sent) this.#queueFlush();
    await Promise.all(stored);
    // The peer has it; so must this node's disk, before the caller hears (see store/wal-sync.ts). The sync
    // began when the batch was stored here, so it mostly ran while the batch was on its way.
    await (waiters.at(-1)!.durable ?? this.#p.durable());
  }

  async reapplyConflict(id: string): Promise<ConfigConflict | undefined> {
    const conflict = this.#config.conflicts.take(id, this.#p.clock.now());
    if (!conflict) return undefined;
    this.#p.send({ t: 'config-conflict-resolved', id });
    await this.commit(conflict.op, conflict.kind, conflict.key, conflict.value);
    return conflict;
  }

  discardConflict(id: string): ConfigConflict | undefined {
    const conflict = this.#config.conflicts.take(id, this.#p.clock.now());
    if (conflict) this.#p.send({ t: 'config-conflict-resolved', id });
    return conflict;
  }

  /** The link is up: the conflict set goes both ways; a follower tells the active node where it stands. */
  onLinkUp(peerActive: boolean): void {
    // The conflict set belongs to both nodes, and an operator re-applies on the active one; the frame that
    // carried it may have been lost with a link (found by the simulation, seed 254).
    // With it go the ids resolved here, so that the peer drops its copy of those instead of sending them back.
    const conflicts = this.#config.conflicts.asChanges();
    const resolved = this.#config.conflicts.resolvedIds();
    if (conflicts.length > 0 || resolved.length > 0)
      this.#p.send({ t: 'config-conflicts', changes: conflicts, resolved });
    if (peerActive && !this.#p.isActive()) this.sendHead();
  }

  onLinkDown(): void {
    this.#peerSeq = null;
  }

  /**
   * A follower tells the active node where its config stands, with the changes the active node is not known
   * to hold (made here while this node was active), which the active node merges by key before it answers.
   */
  sendHead(): void {
    this.#headAsked = true;
    this.#p.send({ t: 'config-head', ...this.#position() });
  }

  /** The request of automatic recovery: everything the active peer holds, after it merged this node's changes. */
  pullRequest(): PeerFrame {
    const { head, unshared } = this.#position();
    return { t: 'sync-request', configHead: head, ...(unshared ? { unshared } : {}) };
  }

  /**
   * This node stopped being active (a hand-over, a clean stop, a split that healed against it): what waits
   * in the outbox is stored and sent now, before the hand-over's answer (frames keep their order), so the
   * peer holds every change made here before it takes its first own one. Without this the changes left after
   * the peer became active, which drops what an active node receives (docs/redundancy.md, "Hand-over").
   */
  standDown(): void {
    this.#flushOutbox();
  }

  /**
   * What the peer needs to follow this node from `head`: the missing changes, or a full snapshot. A follower's
   * unshared changes are merged by key first, and the conflicts among them sent to it before the answer.
   */
  answerFollower(head: ConfigHead, unshared?: { since: number; changes: readonly ConfigChange[] }): void {
    if (unshared && unshared.changes.length > 0) this.#merge(unshared.since, unshared.changes);
    const mine = this.#config.head();
    // Whatever waited in the outbox is part of this answer (every change here is at or below `mine`).
    this.#outbox = [];
    // A follower that holds nothing gets a copy of the items rather than a replay of the whole log (never
    // more rows, often far fewer); having no changes of its own, it has nothing that could conflict.
    const changes = head.seq === 0 && mine.seq > 0 ? null : this.#config.changesAfter(head);
    if (changes === null) {
      const snapshot = this.#config.snapshot();
      for (const frame of snapshotFrames(snapshot)) this.#p.send(frame);
      this.#sent = Math.max(this.#sent, snapshot.head.seq);
    } else if (changes.length > 0) {
      this.#sendChanges(changes);
    } else {
      // The follower holds exactly this node's history, so every change here is stored there. It hears this
      // node's head as the answer, so its status shows where the peer stands (it stayed unknown).
      this.#stored(mine.seq);
      this.#p.send({ t: 'config-head', head: mine });
    }
  }

  onFrame(frame: ConfigFrame): void {
    this.#notePeerSeq(frame);
    dispatchFrame(this.#handlers, frame);
  }

  readonly #handlers: FrameHandlers<ConfigFrame> = {
    'config-head': (frame) => {
      if (this.#p.isActive()) this.answerFollower(frame.head, frame.unshared);
      else this.#headAsked = false; // the active node's answer: it holds what this node holds
    },
    'config-changes': (frame) => this.#applyChanges(frame.changes),
    'config-snapshot': (frame) => this.#receiveSnapshot(frame.head, frame.items, frame.more === true),
    'config-ack': (frame) => {
      this.#config.markCommon(Math.min(frame.seq, this.#config.head().seq));
      // An ack answers only changes that went out on this link: one still staged here is not the peer's.
      this.#stored(Math.min(frame.seq, this.#sent));
    },
    'config-conflicts': (frame) => {
      for (const id of frame.resolved ?? []) this.#config.conflicts.take(id, this.#p.clock.now());
      this.#config.conflicts.record(frame.changes, this.#p.clock.now());
    },
    'config-conflict-resolved': (frame) => {
      this.#config.conflicts.take(frame.id, this.#p.clock.now());
    },
  };

  /**
   * The link the waiting callers counted on is gone (or replaced): nothing is in flight any more. Nobody is
   * left to store their changes, so the local commits stand. Returns the callers to answer, once the caller
   * has also put its own state straight.
   */
  endLink(): (() => void)[] {
    // Answered as stored here: so stored here first (a failure answers those callers with the error).
    this.#persisted();
    const waiting = this.#waiting.map((w) => w.release);
    this.#sent = 0;
    this.#acked = 0;
    this.#outbox = [];
    this.#waiting = [];
    this.#snapshotParts.reset();
    this.#linkGeneration++;
    this.#headAsked = false;
    return waiting;
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
      if (this.#acked >= this.#sent) this.#flushOutbox();
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
    const durable = this.#p.durable();
    durable.catch(() => undefined); // its callers see a failure when they await it
    for (const w of this.#waiting) w.durable ??= durable;
    this.#sendChanges(changes);
  }

  /** Stores the staged changes; false if that failed (their callers have been told, by `#lost`). */
  #persisted(): boolean {
    try {
      this.#config.persist();
      return true;
    } catch {
      return false;
    }
  }

  /** Staged changes the database would not take: they are not in the log, and their callers get the error. */
  #lost(changes: readonly ConfigChange[], error: unknown): void {
    const seqs = new Set(changes.map((c) => c.seq));
    this.#outbox = this.#outbox.filter((c) => !seqs.has(c.seq));
    const failed = this.#waiting.filter((w) => seqs.has(w.seq));
    this.#waiting = this.#waiting.filter((w) => !seqs.has(w.seq));
    for (const w of failed)
      w.fail(new Error(`config change ${w.seq} could not be stored on this node`, { cause: error }));
  }

  #sendChanges(changes: readonly ConfigChange[]): void {
    for (const frame of changeFrames(changes)) this.#p.send(frame);
    this.#sent = Math.max(this.#sent, changes.at(-1)?.seq ?? 0);
  }

  /** The peer holds every change up to `seq`: their callers are answered, and the next batch goes out. */
  #stored(seq: number): void {
    this.#acked = Math.max(this.#acked, seq);
    const released: (() => void)[] = [];
    this.#waiting = this.#waiting.filter((w) => {
      if (w.seq > seq) return true;
      released.push(w.release);
      return false;
    });
    if (this.#acked >= this.#sent) this.#flushOutbox();
    for (const release of released) release();
  }

  #applyChanges(changes: readonly ConfigChange[]): void {
    if (this.#p.isActive()) return;
    const { head, stoppedAt, applied } = this.#config.applyReplicated(changes);
    // A deleted tag's value goes with it, here as on the active node.
    for (const c of applied) if (c.op === 'delete' && c.kind === 'tag') this.#runtime.forget(c.key);
    if (applied.length > 0) this.#headAsked = false;
    if (stoppedAt !== null) {
      // Sent before the active node read this node's head: the answer to the head brings it.
      if (this.#headAsked) return;
      // A gap, a checksum that does not follow, or an unknown epoch: ask for everything.
      this.#p.fullResync(`config change ${stoppedAt} does not follow ${head.seq}`);
      this.#whenDurable(() => this.sendHead());
      return;
    }
    // One acknowledgement for the whole frame: it answers every change up to the head.
    this.#whenDurable(() => this.#p.send({ t: 'config-ack', seq: head.seq }));
  }

  /**
   * Sends a frame that tells the peer what this node stored, once that is on disk (the peer answers its
   * callers on it). Frames keep their order: each waits for a sync that began after the one before it. If
   * the disk cannot sync, nothing is claimed: the peer's callers wait until the link ends.
   */
  #whenDurable(send: () => void): void {
    const generation = this.#linkGeneration;
    this.#p.durable().then(
      () => {
        if (generation === this.#linkGeneration) send();
      },
      () => undefined,
    );
  }

  /** This node's head, and the changes after the last seq both nodes are known to hold (if any). */
  #position(): { head: ConfigHead; unshared?: { since: number; changes: ConfigChange[] } } {
    const unshared = this.#config.unshared();
    const head = this.#config.head();
    if (unshared.changes.length === 0) return { head };
    // More than a frame holds (a very long split): the rest is kept as conflicts when the snapshot comes.
    return { head, unshared: { since: unshared.since, changes: firstFrameOf(unshared.changes) } };
  }

  /**
   * On the active node: a follower's unshared changes, merged by key (ConfigStore.mergeUnshared). The merged
   * ones reach the follower with the answer to its head; the conflicts are kept here and sent to it first.
   */
  #merge(since: number, changes: readonly ConfigChange[]): void {
    let result: { merged: ConfigChange[]; conflicts: ConfigChange[] };
    try {
      result = mergeUnshared(this.#config, since, changes, this.#p.epoch());
    } catch {
      return; // not stored (its callers are told by #lost): the follower keeps them as conflicts
    }
    if (result.conflicts.length === 0) return;
    this.#config.conflicts.record(result.conflicts, this.#p.clock.now());
    this.#p.send({ t: 'config-conflicts', changes: result.conflicts, resolved: [] });
  }

  #receiveSnapshot(head: ConfigHead, items: readonly SnapshotItem[], more: boolean): void {
    if (this.#p.isActive()) return;
    const snapshot = this.#snapshotParts.add(head, items, more);
    if (!snapshot) return;
    this.#headAsked = false;
    this.#applySnapshot(snapshot.head, snapshot.items);
  }

  #applySnapshot(head: ConfigHead, items: ConfigSnapshot['items']): void {
    // Staged changes (made while this node was active) are in the log first, so they count as its own.
    this.#persisted();
    const outcome = loadAsFollower(this.#config, this.#runtime, { head, items }, () => this.#p.clock.now());
    if (outcome.lost.length > 0) this.#p.send({ t: 'config-conflicts', changes: outcome.lost, resolved: [] });
    this.#p.fullResync(describeSnapshotLoad({ head, items }, outcome));
    this.#whenDurable(() => this.#p.send({ t: 'config-ack', seq: head.seq }));
    // Changes made here that still wait (sent to a peer that was active too, or in the outbox) are in the
    // snapshot now, merged by the active node, or in the conflict set because the same key changed there too:
    // no ack will come for them. Merged ones are answered once the snapshot is on disk here; the others fail,
    // their callers told where the change is (found by the simulation, seed 635; docs/redundancy.md).
    const bySeq = new Map(outcome.unshared.map((c) => [c.seq, c]));
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#outbox = [];
    this.#sent = 0;
    this.#acked = 0;
    const durable = this.#p.durable();
    for (const w of waiting) {
      const change = bySeq.get(w.seq);
      const conflict = change ? conflictError(change, outcome) : null;
      if (conflict) w.fail(conflict);
      else durable.then(w.release, w.fail);
    }
  }

  /** The peer's config position, as its frames tell it (acks from a follower, changes from the active node). */
  #notePeerSeq(frame: ConfigFrame): void {
    this.#peerSeq = peerSeqAfter(frame, this.#peerSeq);
  }
}

interface Waiter {
  readonly seq: number;
  readonly release: () => void;
  readonly fail: (error: unknown) => void;
  /** The disk sync that began once its change was stored here; null until then. */
  durable: Promise<void> | null;
}
