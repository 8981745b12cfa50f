/**
 * Config replication on the current peer link (behaviour.md "Data"): the active node's changes go to its
 * follower in order, each caller answered once the follower stored its change; a follower that does not
 * hold the active node's history gets a snapshot, and the changes it made on its side of a split are kept as
 * a conflict set on both nodes. DataService owns one of these and hands it the config frames.
 */
import type { PeerFrame } from '../peer/index.ts';
import type {
  ConfigChange,
  ConfigConflict,
  ConfigHead,
  ConfigKind,
  ConfigSnapshot,
  ConfigStore,
} from './config-store.ts';
import type { DataPorts } from './data-service.ts';
import { estimateBytes, splitByBudget } from './frame-parts.ts';
import type { RuntimeStore } from './runtime-store.ts';

/** Most items in one frame (the frame schema allows more); frames are also cut by size (frame-parts.ts). */
const CONFIG_CHUNK = 10_000;
const SNAPSHOT_CHUNK = 100_000;

type SnapshotItem = ConfigSnapshot['items'][number];

const CONFIG_FRAMES = [
  'config-head',
  'config-changes',
  'config-snapshot',
  'config-ack',
  'config-conflicts',
  'config-conflict-resolved',
] as const;

type ConfigFrame = Extract<PeerFrame, { t: (typeof CONFIG_FRAMES)[number] }>;

export function isConfigFrame(frame: PeerFrame): frame is ConfigFrame {
  return (CONFIG_FRAMES as readonly string[]).includes(frame.t);
}

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
  #snapshotParts: { head: ConfigHead; items: SnapshotItem[] } | null = null;
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

  /** A change on the active node: in the log at once, answered once the peer (if linked) stored it. */
  async commit(op: 'put' | 'delete', kind: ConfigKind, key: string, definition: unknown): Promise<void> {
    // Staged: in the log and seen by every read now, stored with the others of its batch (group commit).
    const change = this.#config.stage(
      op,
      kind,
      key,
      definition,
      this.#p.epoch(),
      this.#p.nodeId,
      this.#p.clock.now(),
    );
    if (!this.#p.linked()) {
      this.#config.persist();
      await this.#p.durable();
      return;
    }
    let waiter: Waiter | undefined;
    const stored = new Promise<void>((release, fail) => {
      waiter = { seq: change.seq, release, fail, durable: null };
      this.#waiting.push(waiter);
    });
    this.#outbox.push(change);
    if (this.#acked >= this.#sent) this.#queueFlush();
    await stored;
    // The peer has it; so must this node's disk, before the caller hears (see store/wal-sync.ts). The sync
    // began when the batch was stored here, so it mostly ran while the batch was on its way.
    await (waiter!.durable ?? this.#p.durable());
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

  sendHead(): void {
    this.#p.send({ t: 'config-head', head: this.#config.head() });
  }

  /** What the peer needs to follow this node from `head`: the missing changes, or a full snapshot. */
  answerFollower(head: ConfigHead): void {
    const mine = this.#config.head();
    // Whatever waited in the outbox is part of this answer (every change here is at or below `mine`).
    this.#outbox = [];
    // A follower that holds nothing gets a copy of the items rather than a replay of the whole log (never
    // more rows, often far fewer); having no changes of its own, it has nothing that could conflict.
    const changes = head.seq === 0 && mine.seq > 0 ? null : this.#config.changesAfter(head);
    if (changes === null) {
      const snapshot = this.#config.snapshot();
      const parts = splitByBudget(snapshot.items, snapshotItemBytes, SNAPSHOT_CHUNK);
      parts.forEach((items, i) =>
        this.#p.send({
          t: 'config-snapshot',
          head: snapshot.head,
          items,
          ...(i < parts.length - 1 ? { more: true } : {}),
        }),
      );
      this.#sent = Math.max(this.#sent, snapshot.head.seq);
    } else if (changes.length > 0) {
      this.#sendChanges(changes);
    } else {
      // The follower holds exactly this node's history, so every change here is stored there.
      this.#stored(mine.seq);
    }
  }

  onFrame(frame: ConfigFrame): void {
    this.#notePeerSeq(frame);
    switch (frame.t) {
      case 'config-head':
        if (this.#p.isActive()) this.answerFollower(frame.head);
        return;
      case 'config-changes':
        return this.#applyChanges(frame.changes);
      case 'config-snapshot':
        return this.#receiveSnapshot(frame.head, frame.items, frame.more === true);
      case 'config-ack':
        this.#config.markCommon(Math.min(frame.seq, this.#config.head().seq));
        // An ack answers only changes that went out on this link: one still staged here is not the peer's.
        this.#stored(Math.min(frame.seq, this.#sent));
        return;
      case 'config-conflicts':
        for (const id of frame.resolved ?? []) this.#config.conflicts.take(id, this.#p.clock.now());
        this.#config.conflicts.record(frame.changes, this.#p.clock.now());
        return;
      case 'config-conflict-resolved':
        this.#config.conflicts.take(frame.id, this.#p.clock.now());
        return;
    }
  }

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
    this.#snapshotParts = null;
    this.#linkGeneration++;
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
    for (const part of splitByBudget(changes, changeBytes, CONFIG_CHUNK))
      this.#p.send({ t: 'config-changes', changes: part });
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
    if (stoppedAt !== null) {
      // A gap, a checksum that does not follow, or an unknown epoch: ask for everything.
      this.#p.fullResync(`config change ${stoppedAt} does not follow ${head.seq}`);
      this.#whenDurable({ t: 'config-head', head });
      return;
    }
    // One acknowledgement for the whole frame: it answers every change up to the head.
    this.#whenDurable({ t: 'config-ack', seq: head.seq });
  }

  /**
   * Sends a frame that tells the peer what this node stored, once that is on disk (the peer answers its
   * callers on it). Frames keep their order: each waits for a sync that began after the one before it. If
   * the disk cannot sync, nothing is claimed: the peer's callers wait until the link ends.
   */
  #whenDurable(frame: PeerFrame): void {
    const generation = this.#linkGeneration;
    this.#p.durable().then(
      () => {
        if (generation === this.#linkGeneration) this.#p.send(frame);
      },
      () => undefined,
    );
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
    const diverged = this.#runtime.atomically(() => {
      const tagsBefore = this.#config.list('tag').map((t) => t.key);
      const dropped = this.#config.loadSnapshot({ head, items }, this.#p.nodeId);
      if (dropped.length > 0) this.#config.conflicts.record(dropped, this.#p.clock.now());
      // A tag the active node deleted takes its value with it, as there. A tag made here during a split is
      // in the conflict set now, and keeps its value for when an operator applies it again.
      const kept = new Set(this.#config.list('tag').map((t) => t.key));
      for (const c of dropped) if (c.kind === 'tag') kept.add(c.key);
      for (const name of tagsBefore) if (!kept.has(name)) this.#runtime.forget(name);
      return dropped;
    });
    if (diverged.length > 0) this.#p.send({ t: 'config-conflicts', changes: diverged });
    // The history says where this node's own changes of the split went: an operator reviews them there.
    const kept =
      diverged.length === 0
        ? ''
        : `; ${diverged.length === 1 ? '1 change' : `${diverged.length} changes`} made here kept as conflicts for review`;
    this.#p.fullResync(`config snapshot at change ${head.seq} (${items.length} items)${kept}`);
    this.#whenDurable({ t: 'config-ack', seq: head.seq });
    // Changes made here that still wait (sent to a peer that was active too, or in the outbox) are in the
    // snapshot or in the conflict set now: no ack will come for them, so their callers are answered and
    // nothing of this node's is in flight any more (found by the simulation, seed 635).
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#outbox = [];
    this.#sent = 0;
    this.#acked = 0;
    for (const w of waiting) w.release();
  }

  /** The peer's config position, as its frames tell it (acks from a follower, changes from the active node). */
  #notePeerSeq(frame: ConfigFrame): void {
    if (frame.t === 'config-ack') this.#peerSeq = frame.seq;
    else if (frame.t === 'config-head' || frame.t === 'config-snapshot') this.#peerSeq = frame.head.seq;
    else if (frame.t === 'config-changes' && frame.changes.length > 0)
      this.#peerSeq = Math.max(this.#peerSeq ?? 0, frame.changes.at(-1)!.seq);
  }
}

interface Waiter {
  readonly seq: number;
  readonly release: () => void;
  readonly fail: (error: unknown) => void;
  /** The disk sync that began once its change was stored here; null until then. */
  durable: Promise<void> | null;
}

function changeBytes(c: ConfigChange): number {
  return estimateBytes([c.origin, c.key, c.value, c.checksum], 160);
}

function snapshotItemBytes(item: SnapshotItem): number {
  return estimateBytes([item.key, item.definition], 48);
}
