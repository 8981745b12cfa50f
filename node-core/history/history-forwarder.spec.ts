/**
 * History forwarding across a simulated fail-back: two nodes, each with its own SQLite file, joined by an
 * in-memory link that passes every frame through JSON and the frame schemas, as the peer link does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../clock/index.ts';
import { HistoryForwarder } from './history-forwarder.ts';
import { historyFrameSchemas } from '../protocol/peer-frames.ts';
import type { HistoryFrame } from './history-frames.ts';
import { HistoryStore, type HistorySample } from '../store/history-store.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import type { Db } from '../store/database.ts';
import { WarmBuffer, detectionWindowMs } from './warm-buffer.ts';

const frameSchema = z.discriminatedUnion('t', [...historyFrameSchemas]);
const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

interface Node {
  readonly id: string;
  readonly store: HistoryStore;
  readonly forwarder: HistoryForwarder;
  /** Frames this node sent, waiting on the wire. */
  readonly outbox: HistoryFrame[];
  readonly sent: HistoryFrame[];
  /** What the forwarder reported it could not read or store. */
  readonly unreadable: string[];
  readonly db: Db;
}

function node(id: string, options: { chunkSamples?: number; chunkBytes?: number } = {}): Node {
  const t = tempDatabase();
  disposers.push(t.dispose);
  const store = new HistoryStore(t.db);
  const outbox: HistoryFrame[] = [];
  const sent: HistoryFrame[] = [];
  const unreadable: string[] = [];
  let n = 0;
  const forwarder = new HistoryForwarder(
    store,
    {
      send: (frame) => {
        // Over the wire: JSON, then the schema, exactly as peer/frames.ts parses.
        const parsed = frameSchema.parse(JSON.parse(JSON.stringify(frame)));
        outbox.push(parsed);
        sent.push(parsed);
      },
      newId: () => `${id}-${++n}`,
      unreadable: (error, what) => unreadable.push(`${what}: ${(error as Error).message}`),
    },
    options,
  );
  return { id, store, forwarder, outbox, sent, unreadable, db: t.db };
}

/** Delivers frames both ways until the wire is quiet. */
function settle(a: Node, b: Node): void {
  for (let guard = 0; guard < 100_000; guard++) {
    const fromA = a.outbox.shift();
    if (fromA) b.forwarder.onFrame(fromA);
    const fromB = b.outbox.shift();
    if (fromB) a.forwarder.onFrame(fromB);
    if (!fromA && !fromB) return;
  }
  throw new Error('the link never went quiet');
}

const TAGS = ['flow', 'level', 'temp'];

/** What an active node records at one poll: every tag at the same ts. */
function poll(origin: string, ts: number): HistorySample[] {
  return TAGS.map((tag, i) => ({ tag, ts, value: ts * 10 + i, quality: 'good', origin }));
}

function all(store: HistoryStore, origin: string): HistorySample[] {
  return store.since(origin, Number.MIN_SAFE_INTEGER, 10_000_000);
}

const key = (s: HistorySample): string => `${s.tag}@${s.ts}`;

describe('HistoryForwarder across a fail-back', () => {
  it('the master ends with every sample the backup recorded while active: no gap, no duplicate', async () => {
    const timing = { pingRateMs: 100, pingTimeoutMs: 300, missedPings: 3, failoverTimeMs: 1000 };
    const clock = new ManualClock(0);
    const master = node('master', { chunkSamples: 7 }); // 7: chunks end inside an instant of 3 tags
    const backup = node('backup', { chunkSamples: 7 });
    const warm = new WarmBuffer({ clock, windowMs: detectionWindowMs(timing, 1000), maxSamples: 10_000 });

    // 1. Master active, backup warm: the master records, the backup polls into its buffer and pulls the
    //    master's history every second.
    let lastHeartbeat = 0;
    for (let t = 0; t <= 5000; t += 100) {
      clock.advance(t - clock.now());
      master.store.record(poll('master', t));
      warm.push(
        poll('backup', t + 50).map((s) => ({ name: s.tag, value: s.value, quality: s.quality, ts: s.ts })),
      );
      lastHeartbeat = t;
      if (t % 1000 === 0) {
        const pulled = backup.forwarder.pull();
        settle(backup, master);
        expect(await pulled).toMatchObject({ complete: true });
      }
    }
    expect(backup.store.latestTs('master')).toBe(5000);

    // 2. The master dies after recording 5100..5400 that it never forwarded; the backup keeps polling.
    for (let t = 5100; t <= 5400; t += 100) master.store.record(poll('master', t));
    for (let t = 5100; t <= 6400; t += 100) {
      clock.advance(t + 50 - clock.now());
      warm.push(
        poll('backup', t + 50).map((s) => ({ name: s.tag, value: s.value, quality: s.quality, ts: s.ts })),
      );
    }

    // 3. Take-over at 6500: fill the detection window from the buffer, then record as the active node.
    clock.advance(6500 - clock.now());
    const filled = warm.drainInto(backup.store, 'backup', { after: lastHeartbeat });
    expect(filled).toBe(15 * TAGS.length); // 5050, 5150, ..., 6450: after the last heartbeat at 5000
    for (let t = 6500; t <= 20_000; t += 100) backup.store.record(poll('backup', t));
    const recordedByBackup = all(backup.store, 'backup');

    // 4. Fail-back: the master is back and pulls what it lacks.
    const pulled = master.forwarder.pull();
    settle(master, backup);
    const result = await pulled;
    expect(result.complete).toBe(true);
    expect(result.added).toBe(recordedByBackup.length);

    const atMaster = all(master.store, 'backup');
    expect(atMaster.map(key)).toEqual(recordedByBackup.map(key));
    expect(atMaster).toEqual(recordedByBackup);
    // The master's own history is untouched, including what it never forwarded.
    expect(master.store.latestTs('master')).toBe(5400);
    expect(all(master.store, 'master')).toHaveLength(55 * TAGS.length);
    // The detection window starts after the master's last heartbeat: nothing overlaps what it forwarded.
    expect(atMaster[0]?.ts).toBe(5050);
    // Chunks were small, so this took many round trips, each carrying whole instants.
    const answers = backup.sent.filter((f) => f.t === 'history-samples');
    expect(answers.length).toBeGreaterThan(50);
    for (const answer of answers) {
      if (answer.t !== 'history-samples' || answer.samples.length === 0) continue;
      const last = answer.samples.at(-1)!.ts;
      expect(answer.samples.filter((s) => s.ts === last)).toHaveLength(TAGS.length);
    }

    // 5. Pulling again finds nothing new, in one round trip.
    const before = master.sent.length;
    const again = master.forwarder.pull();
    settle(master, backup);
    expect(await again).toEqual({ complete: true, added: 0 });
    expect(master.sent.length - before).toBe(1);
  });

  it('a chunk delivered twice adds nothing; a pull cut by the link resumes where it stopped', async () => {
    const master = node('master', { chunkSamples: 10 });
    const backup = node('backup', { chunkSamples: 10 });
    for (let t = 1; t <= 100; t++) backup.store.record(poll('backup', t));

    const first = master.forwarder.pull();
    // Three round trips, delivering each answer twice.
    for (let i = 0; i < 3; i++) {
      backup.forwarder.onFrame(master.outbox.shift()!);
      const answer = backup.outbox.shift()!;
      master.forwarder.onFrame(answer);
      master.forwarder.onFrame(answer);
    }
    const partial = master.store.count();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(300);
    master.forwarder.onLinkDown();
    expect(await first).toEqual({ complete: false, added: partial });
    master.outbox.length = 0;
    backup.outbox.length = 0;

    const second = master.forwarder.pull();
    const resumedFrom = master.outbox[0];
    expect(resumedFrom).toMatchObject({ t: 'history-request' });
    expect(resumedFrom?.t === 'history-request' ? resumedFrom.after['backup'] : null).toBe(
      master.store.latestTs('backup'),
    );
    settle(master, backup);
    expect(await second).toEqual({ complete: true, added: 300 - partial });
    expect(all(master.store, 'backup').map(key)).toEqual(all(backup.store, 'backup').map(key));
  });

  it('history this node cannot read ends each pull short, and the link goes on (no frame throws)', async () => {
    const master = node('master');
    const backup = node('backup');
    for (let t = 1; t <= 10; t++) backup.store.record(poll('backup', t));
    for (let t = 1; t <= 10; t++) master.store.record(poll('master', t));
    // The backup's history unreadable from here on, as a damaged page makes it (a real SQLite error).
    backup.db.exec('DROP TABLE history_recent');

    // The backup asks: it cannot read what it holds, so its pull ends at once, incomplete.
    expect(await backup.forwarder.pull()).toEqual({ complete: false, added: 0 });
    expect(backup.outbox).toEqual([]);
    // The master asks: the backup answers an empty chunk with more to come, and the master's pull ends short.
    const pulled = master.forwarder.pull();
    expect(() => settle(master, backup)).not.toThrow();
    expect(await pulled).toEqual({ complete: false, added: 0 });
    expect(backup.unreadable).toEqual([
      'reading what this node holds: no such table: history_recent',
      'answering the peer: no such table: history_recent',
    ]);
  });

  it('answers from an earlier request are stored but do not start a second chain', async () => {
    const master = node('master', { chunkSamples: 3 });
    const backup = node('backup', { chunkSamples: 3 });
    for (let t = 1; t <= 10; t++) backup.store.record(poll('backup', t));
    const stale = master.forwarder.pull();
    const staleRequest = master.outbox.shift()!;
    const current = master.forwarder.pull(); // replaces the first
    expect(await stale).toEqual({ complete: false, added: 0 });
    backup.forwarder.onFrame(staleRequest);
    master.forwarder.onFrame(backup.outbox.shift()!);
    expect(master.outbox).toHaveLength(1); // only the current pull's request
    settle(master, backup);
    expect(await current).toMatchObject({ complete: true });
    expect(master.store.count()).toBe(30);
  });

  it('terminates when every sample of a chunk collides with one the node already holds', async () => {
    const master = node('master', { chunkSamples: 3 });
    const backup = node('backup', { chunkSamples: 3 });
    for (let t = 1; t <= 5; t++) {
      master.store.record(poll('master', t)); // same (tag, ts) as the backup's below
      backup.store.record(poll('backup', t));
    }
    backup.store.record(poll('backup', 6));
    const pulled = master.forwarder.pull();
    settle(master, backup);
    expect(await pulled).toEqual({ complete: true, added: 3 });
    expect(master.store.latestTs('backup')).toBe(6);
  });

  it('keeps chunks within the byte budget, and still moves on when one instant is larger', async () => {
    const master = node('master', { chunkBytes: 2048 });
    const backup = node('backup', { chunkBytes: 2048 });
    const long = 'x'.repeat(700);
    for (let t = 1; t <= 20; t++)
      backup.store.record(
        TAGS.map((tag) => ({ tag, ts: t, value: long, quality: 'good', origin: 'backup' })),
      );
    const pulled = master.forwarder.pull();
    settle(master, backup);
    expect(await pulled).toEqual({ complete: true, added: 60 });
    for (const frame of backup.sent) {
      if (frame.t !== 'history-samples') continue;
      expect(new Set(frame.samples.map((s) => s.ts)).size).toBe(1); // one instant (≈2.2 kB) per chunk
    }
  });

  it('forwards every origin the asker lacks, its own included (a master that lost its disk)', async () => {
    const master = node('master');
    const backup = node('backup');
    backup.store.record([...poll('master', 1), ...poll('backup', 2), ...poll('third', 3)]);
    const pulled = master.forwarder.pull();
    settle(master, backup);
    expect(await pulled).toEqual({ complete: true, added: 9 });
    expect(master.store.latestByOrigin()).toEqual({ backup: 2, master: 1, third: 3 });
  });

  it('rejects frames that do not fit the schemas', () => {
    expect(frameSchema.safeParse({ t: 'history-request', id: 'x', after: { a: 1.5 } }).success).toBe(false);
    expect(
      frameSchema.safeParse({
        t: 'history-samples',
        id: 'x',
        more: false,
        samples: [{ tag: 'a', ts: 1, value: {}, quality: 'good', origin: 'n' }],
      }).success,
    ).toBe(false);
  });
});
