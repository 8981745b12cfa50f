import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { MAX_FRAME_BYTES, parseFrame, type PeerFrame } from '../peer/frames.ts';
import { MetaStore, openDatabase, type Db } from '../store/index.ts';
import { AlarmService } from './alarm-service.ts';
import { AlarmStore } from './alarm-store.ts';
import { ConfigStore, type ConfigHead } from './config-store.ts';
import { DataService } from './data-service.ts';
import { RuntimeStore, type TagValue } from './runtime-store.ts';

const memoryTag = { dataType: 'float', source: { kind: 'memory' } };

/** This node's disk syncs (the `durable` port): done at once, or held until the test lets them finish. */
class Disk {
  #held: (() => void)[] | null = null;

  synced(): Promise<void> {
    const held = this.#held;
    return held ? new Promise((resolve) => held.push(resolve)) : Promise.resolve();
  }

  hold(): void {
    this.#held = [];
  }

  finish(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const resolve of held) resolve();
  }
}

/**
 * One node's DataService over a real database, behind a link the test drives: frames wait in `outbox`
 * until `deliver` hands them (serialised and parsed with the real frame schema) to the other node.
 */
class TestNode {
  readonly db: Db;
  readonly data: DataService;
  readonly outbox: PeerFrame[] = [];
  readonly resyncs: string[] = [];
  active: boolean;
  linked = true;
  readonly disk = new Disk();
  /** The history samples of memory tags stored here, in the values' transaction; a throw refuses them. */
  readonly historized: TagValue[] = [];
  historyRefuses: Error | null = null;
  /** What the service said it stored without samples (DataPorts.historyDamaged). */
  readonly withoutSamples: unknown[] = [];

  constructor(name: string, active: boolean, clock: ManualClock) {
    this.active = active;
    this.db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), `tandem-data-${name}-`)));
    const meta = new MetaStore(this.db);
    const config = new ConfigStore(this.db, meta);
    this.data = new DataService(
      config,
      new RuntimeStore(this.db),
      new AlarmService(new AlarmStore(this.db), config),
      {
        nodeId: meta.nodeId(),
        clock,
        send: (frame) => {
          if (this.linked) this.outbox.push(frame);
        },
        linked: () => this.linked,
        isActive: () => this.active,
        epoch: () => 1,
        fullResync: (reason) => this.resyncs.push(reason),
        changed: () => undefined,
        writeDevice: () => Promise.resolve(),
        durable: () => this.disk.synced(),
        historize: (values) => {
          if (this.historyRefuses) throw this.historyRefuses;
          this.historized.push(...values);
        },
        historyDamaged: (error) => this.withoutSamples.push(error),
      },
    );
  }

  /**
   * Hands the frames waiting here to `to`, in order, and lets `to` answer (its acknowledgements wait for
   * its disk, a promise); returns the frames.
   */
  async deliver(to: TestNode): Promise<PeerFrame[]> {
    const frames = this.outbox.splice(0);
    for (const frame of frames) {
      const parsed = parseFrame(JSON.stringify(frame));
      if (!parsed.ok) throw new Error(parsed.reason);
      to.data.onFrame(parsed.frame);
    }
    await settle();
    return frames;
  }

  /** The head as the database holds it (what a restarted process would find). */
  storedHead(): ConfigHead {
    return new ConfigStore(this.db, new MetaStore(this.db)).head();
  }

  /** The link breaks: frames on the way are lost. */
  drop(): void {
    this.linked = false;
    this.outbox.length = 0;
    this.data.onLinkDown();
  }
}

const nodes: TestNode[] = [];
afterEach(() => {
  for (const n of nodes.splice(0)) n.db.close();
});

function pair(): { master: TestNode; backup: TestNode } {
  const clock = new ManualClock(1_700_000_000_000);
  const master = new TestNode('master', true, clock);
  const backup = new TestNode('backup', false, clock);
  nodes.push(master, backup);
  return { master, backup };
}

/** Lets settled promises run their callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A call on the master, answered once its frames went to the backup and the backup's answers came back. */
async function exchanged<T>(master: TestNode, backup: TestNode, call: Promise<T>): Promise<T> {
  await settle();
  await master.deliver(backup);
  await backup.deliver(master);
  return call;
}

function track(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

const frames = (list: PeerFrame[], t: PeerFrame['t']): PeerFrame[] => list.filter((f) => f.t === t);

describe('Data: config changes go to the standby in groups, each caller answered once the standby stored it', () => {
  it('changes made while a batch is in flight go out together in one frame and are released by one ack', async () => {
    const { master, backup } = pair();
    const first = track(master.data.putConfig('tag', 'a', memoryTag));
    await settle();
    expect(frames(master.outbox, 'config-changes')).toHaveLength(1);
    // While the first change is on its way, three more callers commit: nothing more is sent yet.
    const rest = ['b', 'c', 'd'].map((key) => track(master.data.putConfig('tag', key, memoryTag)));
    expect(master.outbox).toHaveLength(1);
    // In the log at once, in order, and seen by reads; stored together when they go out.
    expect(master.data.config.head().seq).toBe(4);
    expect(master.data.config.get('tag', 'c')).toEqual(memoryTag);
    expect(master.data.config.list('tag').map((t) => t.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(master.storedHead().seq).toBe(1);

    await master.deliver(backup);
    expect(frames(backup.outbox, 'config-ack')).toEqual([{ t: 'config-ack', seq: 1 }]);
    await backup.deliver(master);
    await settle();
    expect(first.done).toBe(true);
    expect(rest.map((r) => r.done)).toEqual([false, false, false]);

    // The ack of the first batch stored the other three (one transaction) and sent them, in one frame.
    expect(master.storedHead()).toEqual(master.data.config.head());
    const batch = frames(master.outbox, 'config-changes');
    expect(batch).toHaveLength(1);
    expect(batch[0]?.t === 'config-changes' && batch[0].changes.map((c) => c.seq)).toEqual([2, 3, 4]);
    await master.deliver(backup);
    expect(backup.outbox).toEqual([{ t: 'config-ack', seq: 4 }]);
    expect(backup.data.config.head()).toEqual(master.data.config.head());
    await backup.deliver(master);
    await settle();
    expect(rest.map((r) => r.done)).toEqual([true, true, true]);
    expect(master.outbox).toEqual([]);
    expect(master.data.config.commonSeq()).toBe(4);
  });

  it('changes made together leave together: callers answered by one ack send their next changes in one frame', async () => {
    const { master, backup } = pair();
    const callers = ['a', 'b', 'c'].map(async (key) => {
      await master.data.putConfig('tag', key, memoryTag);
      await master.data.putConfig('tag', `${key}.next`, memoryTag);
    });
    await settle();
    const sent: PeerFrame[] = [];
    for (let round = 0; round < 6; round++) {
      sent.push(...(await master.deliver(backup)));
      await backup.deliver(master);
      await settle();
    }
    await Promise.all(callers);
    const batches = frames(sent, 'config-changes').map((f) =>
      f.t === 'config-changes' ? f.changes.length : 0,
    );
    // Without it: [1, 2, 1, 2] — the first caller's change alone, the others one round trip later.
    expect(batches).toEqual([3, 3]);
  });

  it('no caller is answered before the standby stored its change', async () => {
    const { master, backup } = pair();
    const calls = Array.from({ length: 20 }, (_, i) => ({
      seq: i + 1,
      state: track(master.data.putConfig('tag', `t${i}`, memoryTag)),
    }));
    for (let round = 0; round < 10 && calls.some((c) => !c.state.done); round++) {
      await master.deliver(backup);
      await backup.deliver(master);
      await settle();
      const stored = backup.data.config.head().seq;
      for (const c of calls) if (c.state.done) expect(c.seq).toBeLessThanOrEqual(stored);
    }
    expect(calls.every((c) => c.state.done)).toBe(true);
    expect(backup.data.config.list('tag')).toHaveLength(20);
  });

  it('a link drop while a batch is in flight releases every waiter; the local commits stand', async () => {
    const { master } = pair();
    const calls = ['a', 'b', 'c'].map((key) => track(master.data.putConfig('tag', key, memoryTag)));
    const removal = track(master.data.deleteConfig('tag', 'a'));
    await settle();
    expect([...calls, removal].some((c) => c.done)).toBe(false);
    master.drop();
    await settle();
    expect([...calls, removal].every((c) => c.done)).toBe(true);
    expect(master.data.config.head().seq).toBe(4);
  });

  it('a link drop stores what waited before its callers are answered', async () => {
    const { master } = pair();
    void master.data.putConfig('tag', 'a', memoryTag);
    await settle();
    const waiting = ['b', 'c'].map((key) => track(master.data.putConfig('tag', key, memoryTag)));
    expect(master.storedHead().seq).toBe(1);
    master.drop();
    expect(master.storedHead().seq).toBe(3);
    await settle();
    expect(waiting.every((w) => w.done)).toBe(true);
  });

  it('changes that were never stored were never answered: a restart finds the last stored head', async () => {
    const { master, backup } = pair();
    void master.data.putConfig('tag', 'a', memoryTag);
    await settle();
    const waiting = ['b', 'c'].map((key) => track(master.data.putConfig('tag', key, memoryTag)));
    // The process ends here: what it held in memory is gone.
    const restarted = new ConfigStore(master.db, new MetaStore(master.db));
    expect(restarted.head().seq).toBe(1);
    expect(restarted.list('tag').map((t) => t.key)).toEqual(['a']);
    await settle();
    expect(waiting.some((w) => w.done)).toBe(false);
    expect(backup.data.config.head().seq).toBe(0);
  });

  it('a batch the database refuses is neither sent nor answered as stored: its callers get the error', async () => {
    const { master, backup } = pair();
    void master.data.putConfig('tag', 'a', memoryTag);
    await settle();
    const outcomes: string[] = [];
    for (const key of ['b', 'c'])
      master.data.putConfig('tag', key, memoryTag).then(
        () => outcomes.push(`${key} ok`),
        (error: Error) => outcomes.push(`${key} ${error.message}`),
      );
    master.db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON config_changes WHEN NEW.key = 'c' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    await master.deliver(backup);
    await backup.deliver(master);
    await settle();
    expect(outcomes.sort()).toEqual([
      'b config change 2 could not be stored on this node',
      'c config change 3 could not be stored on this node',
    ]);
    expect(frames(master.outbox, 'config-changes')).toEqual([]);
    expect(master.data.config.head()).toEqual(master.storedHead());
    expect(master.data.config.list('tag').map((t) => t.key)).toEqual(['a']);
    // The log goes on from what is stored.
    master.db.exec('DROP TRIGGER refuse');
    const next = track(master.data.putConfig('tag', 'd', memoryTag));
    await settle();
    await master.deliver(backup);
    await backup.deliver(master);
    await settle();
    expect(next.done).toBe(true);
    expect(backup.data.config.head()).toEqual(master.data.config.head());
  });

  it('many puts at once (the CSV import) without the peer: a storage failure on one item stores none of them', async () => {
    const { master } = pair();
    master.drop();
    master.db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON config_changes WHEN NEW.key = 'c' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    const items = ['a', 'b', 'c', 'd'].map((key) => ({ key, definition: memoryTag }));
    await expect(master.data.putConfigAll('tag', items)).rejects.toThrow('disk full');
    expect(master.data.config.list('tag')).toEqual([]);
    expect(master.storedHead().seq).toBe(0);
    master.db.exec('DROP TRIGGER refuse');
    await master.data.putConfigAll('tag', items);
    expect(master.data.config.list('tag').map((t) => t.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(master.storedHead()).toEqual(master.data.config.head());
  });

  it('nothing is lost when a batch is cut by a link drop: the standby catches up when the link is back', async () => {
    const { master, backup } = pair();
    void master.data.putConfig('tag', 'a', memoryTag);
    await settle();
    await master.deliver(backup);
    await backup.deliver(master);
    await settle();
    // b is in flight, c and d wait behind it; the link breaks before anything arrives.
    void master.data.putConfig('tag', 'b', memoryTag);
    await settle();
    for (const key of ['c', 'd']) void master.data.putConfig('tag', key, memoryTag);
    master.drop();
    backup.drop();
    // Made while apart: stored here only.
    await master.data.putConfig('tag', 'e', memoryTag);
    expect(backup.data.config.head().seq).toBe(1);

    master.linked = true;
    backup.linked = true;
    master.data.onLinkUp(false);
    backup.data.onLinkUp(true); // the follower says where it stands
    await backup.deliver(master); // the active node answers with what the follower lacks
    const during = track(master.data.putConfig('tag', 'f', memoryTag)); // waits behind that answer
    for (let round = 0; round < 5; round++) {
      await master.deliver(backup);
      await backup.deliver(master);
    }
    await settle();
    expect(during.done).toBe(true);
    expect(backup.data.config.head()).toEqual(master.data.config.head());
    expect(backup.data.config.list('tag').map((t) => t.key)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(backup.resyncs).toEqual([]);
  });

  it('a standby stores what follows its head in one go and asks for everything at a gap', async () => {
    const { master, backup } = pair();
    for (const key of ['a', 'b', 'c']) void master.data.putConfig('tag', key, memoryTag);
    const log = master.data.config.changesAfter({ seq: 0, checksum: '0'.repeat(64) })!;
    backup.data.onFrame({ t: 'config-changes', changes: [log[0]!, log[2]!] });
    await settle();
    expect(backup.data.config.head().seq).toBe(1);
    expect(backup.resyncs).toEqual(['config change 3 does not follow 1']);
    expect(backup.outbox).toEqual([{ t: 'config-head', head: backup.data.config.head() }]);
    // Repeats of what it holds are skipped and acknowledged.
    backup.outbox.length = 0;
    backup.data.onFrame({ t: 'config-changes', changes: log });
    await settle();
    expect(backup.outbox).toEqual([{ t: 'config-ack', seq: 3 }]);
    backup.outbox.length = 0;
    backup.data.onFrame({ t: 'config-changes', changes: log });
    await settle();
    expect(backup.outbox).toEqual([{ t: 'config-ack', seq: 3 }]);
  });

  it('an empty standby gets a snapshot, not a replay of the whole log', async () => {
    const { master, backup } = pair();
    master.linked = false;
    for (let i = 0; i < 50; i++)
      void master.data.putConfig('tag', `t${i % 10}`, { ...memoryTag, description: `v${i}` });
    master.linked = true;
    backup.data.onLinkUp(true);
    await backup.deliver(master);
    const sent = await master.deliver(backup);
    const snapshots = frames(sent, 'config-snapshot');
    expect(snapshots).toHaveLength(1);
    expect(frames(sent, 'config-changes')).toHaveLength(0);
    expect(backup.data.config.head()).toEqual(master.data.config.head());
    expect(backup.data.config.list('tag')).toEqual(master.data.config.list('tag'));
    expect(backup.outbox.filter((f) => f.t === 'config-ack')).toEqual([{ t: 'config-ack', seq: 50 }]);
  });

  it('a snapshot in several parts is loaded once, when its last part is here', async () => {
    const { backup } = pair();
    const head = { seq: 3, checksum: 'a'.repeat(64) };
    const items = (keys: string[]): { kind: 'tag'; key: string; definition: string }[] =>
      keys.map((key) => ({ kind: 'tag', key, definition: JSON.stringify(memoryTag) }));
    backup.data.onFrame({ t: 'config-snapshot', head, items: items(['a', 'b']), more: true });
    await settle();
    expect(backup.data.config.head().seq).toBe(0);
    expect(backup.outbox).toEqual([]);
    backup.data.onFrame({ t: 'config-snapshot', head, items: items(['c']) });
    await settle();
    expect(backup.data.config.head()).toEqual(head);
    expect(backup.data.config.list('tag').map((t) => t.key)).toEqual(['a', 'b', 'c']);
    expect(backup.outbox).toEqual([{ t: 'config-ack', seq: 3 }]);
    expect(backup.resyncs).toHaveLength(1);
  });
});

describe("Data: a tag's new value is later than the one it replaces", () => {
  it('clock skew: while the pair clock holds still, each new value of a tag is stamped 1 ms after the last, on both nodes', async () => {
    // The ManualClock does not move: the pair's clock holding while a clock set back catches up.
    const { master, backup } = pair();
    await exchanged(master, backup, master.data.putConfig('tag', 'setpoint', memoryTag));
    const stamps: number[] = [];
    for (const value of [1, 2, 3]) {
      await exchanged(master, backup, master.data.writeTag('setpoint', value, `u${value}`));
      stamps.push(master.data.runtime.get('setpoint')!.ts);
      expect(backup.data.runtime.get('setpoint')).toMatchObject({ value, ts: stamps.at(-1) });
    }
    expect(stamps).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]);
    // A driver's polls at one time: each later than the tag's value before.
    const poll = (value: number) => [{ name: 'sim', value, quality: 'good' as const, ts: 1_700_000_000_000 }];
    expect(master.data.publishPolled(poll(1)).map((v) => v.ts)).toEqual([1_700_000_000_000]);
    expect(master.data.publishPolled(poll(2)).map((v) => v.ts)).toEqual([1_700_000_000_001]);
  });
});

describe("Data 4: a memory tag's value and its history sample are stored together or not at all", () => {
  it('a write whose sample the disk refuses is refused whole: the value, the sample and the uid stay as before', async () => {
    const { master, backup } = pair();
    await exchanged(master, backup, master.data.putConfig('tag', 'setpoint', memoryTag));
    await exchanged(master, backup, master.data.writeTag('setpoint', 1, 'u1'));
    expect(master.historized.map((v) => v.value)).toEqual([1]);
    expect(backup.historized.map((v) => v.value)).toEqual([1]);

    master.historyRefuses = new Error('database or disk is full');
    await expect(master.data.writeTag('setpoint', 2, 'u2')).rejects.toThrow('disk is full');
    expect(master.data.runtime.get('setpoint')?.value).toBe(1);
    expect(master.historized.map((v) => v.value)).toEqual([1]);
    // Nothing was done, so the uid is not spent: the retry runs once the disk takes it.
    master.historyRefuses = null;
    await exchanged(master, backup, master.data.writeTag('setpoint', 2, 'u2'));
    expect(master.historized.map((v) => v.value)).toEqual([1, 2]);
    expect(backup.historized.map((v) => v.value)).toEqual([1, 2]);
    expect(backup.data.runtime.get('setpoint')?.value).toBe(2);
  });
});

describe("Data 4: a damaged history does not stop the pair's values", () => {
  it('values whose samples a damaged page refuses are stored without them, on the writer and on the standby', async () => {
    const { master, backup } = pair();
    await exchanged(master, backup, master.data.putConfig('tag', 'setpoint', memoryTag));
    const damaged = new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT');
    master.historyRefuses = damaged;
    backup.historyRefuses = damaged;

    expect(await exchanged(master, backup, master.data.writeTag('setpoint', 5, 'u5'))).toMatchObject({
      ok: true,
      executed: true,
    });
    expect(master.data.runtime.get('setpoint')?.value).toBe(5);
    expect(backup.data.runtime.get('setpoint')?.value).toBe(5);
    expect(master.data.runtime.ledgerEntry('u5')).toBeDefined();
    expect(backup.data.runtime.ledgerEntry('u5')).toBeDefined();
    expect([master.historized, backup.historized]).toEqual([[], []]);
    expect([master.withoutSamples, backup.withoutSamples]).toEqual([[damaged], [damaged]]);
  });
});

describe('Data: runtime frames stay under the frame limit', () => {
  it('a large batch is cut into frames by size, each well under the limit', async () => {
    const { master, backup } = pair();
    master.linked = false;
    await master.data.putConfig('tag', 'big', { dataType: 'string', source: { kind: 'memory' } });
    master.linked = true;
    // 200 values of 64 KiB each: about 13 MB of JSON, more than one frame carries by estimate.
    const polled = Array.from({ length: 200 }, (_, i) => ({
      name: `s${i}`,
      value: 'x'.repeat(65_536),
      quality: 'good' as const,
      ts: i,
    }));
    master.data.publishPolled(polled);
    const sent = frames(master.outbox, 'runtime');
    expect(sent.length).toBeGreaterThan(1);
    for (const frame of sent) expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThan(MAX_FRAME_BYTES);
    await master.deliver(backup);
    expect(backup.data.runtime.all()).toHaveLength(200);
  });
});

describe('Data: a deleted tag takes its value with it on both nodes', () => {
  async function tagWithValue(master: TestNode, backup: TestNode, name: string): Promise<void> {
    await exchanged(master, backup, master.data.putConfig('tag', name, memoryTag));
    const write = master.data.writeTag(name, 42, undefined);
    await settle();
    await master.deliver(backup);
    await backup.deliver(master);
    await write;
    expect(backup.data.readTag(name)?.value).toBe(42);
  }

  it('a standby that applies the delete forgets the value: the tag made again later starts without it', async () => {
    const { master, backup } = pair();
    await tagWithValue(master, backup, 'line.speed');
    const removed = master.data.deleteConfig('tag', 'line.speed');
    await settle();
    await master.deliver(backup);
    await backup.deliver(master);
    expect(await removed).toBe(true);
    // The backup takes over and an operator makes the tag again: no value from before the delete.
    master.active = false;
    backup.active = true;
    backup.linked = false;
    await backup.data.putConfig('tag', 'line.speed', memoryTag);
    expect(backup.data.readTag('line.speed')).toMatchObject({ value: null, quality: 'uncertain' });
  });

  it('after a split, the loser loads a snapshot: deleted tags lose their values, its own new tags are merged and keep theirs', async () => {
    const { master, backup } = pair();
    await tagWithValue(master, backup, 'line.speed');
    backup.drop();
    master.drop();
    // Split: both active. The master deletes a tag; the backup makes one and writes to it.
    await master.data.deleteConfig('tag', 'line.speed');
    backup.active = true;
    await backup.data.putConfig('tag', 'made.on.backup', memoryTag);
    await backup.data.writeTag('made.on.backup', 7, undefined);
    // Healed, the master wins: the backup's log no longer follows the master's, so it gets a snapshot.
    backup.active = false;
    backup.linked = master.linked = true;
    master.data.onLinkUp(false);
    backup.data.onLinkUp(true);
    await backup.deliver(master);
    await master.deliver(backup);
    expect(backup.resyncs.at(-1)).toMatch(/snapshot.*1 change made here merged by key/);
    expect(backup.data.config.getTag('line.speed')).toBeUndefined();
    // Made on one side only: merged into the pair's config, with its value.
    expect(backup.data.config.conflicts.list()).toHaveLength(0);
    expect(master.data.config.getTag('made.on.backup')).toEqual(memoryTag);
    expect(backup.data.runtime.get('made.on.backup')?.value).toBe(7);
    // The backup takes over later and the deleted tag is made again: it starts without its old value.
    backup.active = true;
    backup.linked = false;
    await backup.data.putConfig('tag', 'line.speed', memoryTag);
    expect(backup.data.readTag('line.speed')).toMatchObject({ value: null, quality: 'uncertain' });
  });
});

describe('Data: a resolved conflict stays resolved on both nodes', () => {
  /**
   * A split in which both nodes changed one tag and the master won: both nodes hold the backup's change of it
   * as a conflict.
   */
  async function pairWithConflict(): Promise<{ master: TestNode; backup: TestNode; id: string }> {
    const { master, backup } = pair();
    backup.drop();
    master.drop();
    await master.data.putConfig('tag', 'both', memoryTag);
    backup.active = true;
    await backup.data.putConfig('tag', 'both', { ...memoryTag, description: 'from.backup' });
    backup.active = false;
    await relink(master, backup);
    const [conflict] = master.data.config.conflicts.list();
    expect(conflict?.value).toMatchObject({ description: 'from.backup' });
    expect(backup.data.config.conflicts.list()).toEqual([conflict]);
    return { master, backup, id: conflict!.id };
  }

  /** The link is back: both sides say where they stand and frames go back and forth until it is quiet. */
  async function relink(master: TestNode, backup: TestNode): Promise<void> {
    backup.linked = master.linked = true;
    master.data.onLinkUp(false);
    backup.data.onLinkUp(true);
    for (let round = 0; round < 3; round++) {
      await backup.deliver(master);
      await master.deliver(backup);
    }
  }

  it('a conflict discarded while the peer was out of reach does not come back at the next link-up', async () => {
    const { master, backup, id } = await pairWithConflict();
    master.drop();
    backup.drop();
    expect(master.data.discardConflict(id)?.key).toBe('both');
    await relink(master, backup);
    expect(master.data.config.conflicts.list()).toEqual([]);
    expect(backup.data.config.conflicts.list()).toEqual([]);
  });

  it('a conflict re-applied while the peer was out of reach is applied once and leaves both sets', async () => {
    const { master, backup, id } = await pairWithConflict();
    master.drop();
    backup.drop();
    await master.data.reapplyConflict(id);
    await relink(master, backup);
    expect(master.data.config.conflicts.list()).toEqual([]);
    expect(backup.data.config.conflicts.list()).toEqual([]);
    expect(backup.data.config.getTag('both')).toEqual({ ...memoryTag, description: 'from.backup' });
  });

  it('a conflict resolved on the standby side reaches the active node the same way', async () => {
    const { master, backup, id } = await pairWithConflict();
    master.drop();
    backup.drop();
    backup.data.discardConflict(id);
    await relink(master, backup);
    expect(master.data.config.conflicts.list()).toEqual([]);
    expect(backup.data.config.conflicts.list()).toEqual([]);
  });
});

describe('Data: nothing is claimed stored before it is on disk (power loss)', () => {
  it('a standby acknowledges a config change only once its disk has it; the caller waits for that', async () => {
    const { master, backup } = pair();
    backup.disk.hold();
    const put = track(master.data.putConfig('tag', 'a', memoryTag));
    await settle();
    await master.deliver(backup);
    await settle();
    expect(backup.data.config.head().seq).toBe(1); // stored, in the WAL
    expect(frames(backup.outbox, 'config-ack')).toEqual([]); // but not claimed
    backup.disk.finish();
    await settle();
    await backup.deliver(master);
    await settle();
    expect(put.done).toBe(true);
  });

  it('the active node answers its caller only once its own disk has the change too', async () => {
    const { master, backup } = pair();
    master.disk.hold();
    const put = track(master.data.putConfig('tag', 'a', memoryTag));
    await settle();
    await master.deliver(backup);
    await backup.deliver(master);
    await settle();
    expect(put.done).toBe(false);
    master.disk.finish();
    await settle();
    expect(put.done).toBe(true);
  });

  it("a command's caller waits for the standby's disk before it hears the result", async () => {
    const { master, backup } = pair();
    await exchanged(master, backup, master.data.putConfig('tag', 'a', memoryTag));
    backup.disk.hold();
    const write = track(master.data.writeTag('a', 5, 'uid-1'));
    await settle();
    await master.deliver(backup);
    await settle();
    expect(backup.data.runtime.ledgerEntry('uid-1')).toBeDefined();
    expect(frames(backup.outbox, 'runtime-ack')).toEqual([]);
    backup.disk.finish();
    await settle();
    await backup.deliver(master);
    await settle();
    expect(write.done).toBe(true);
  });

  it('an acknowledgement still waiting for the disk when the link ends is not sent on the next link', async () => {
    const { master, backup } = pair();
    backup.disk.hold();
    void master.data.putConfig('tag', 'a', memoryTag);
    await settle();
    await master.deliver(backup);
    backup.drop();
    master.drop();
    backup.linked = master.linked = true;
    backup.data.onLinkUp(true);
    backup.disk.finish();
    await settle();
    expect(frames(backup.outbox, 'config-ack')).toEqual([]);
  });
});
