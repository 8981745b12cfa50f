/**
 * Rules of docs/rules.md ("Data", "Commands", "Partitions") that the deterministic simulation found
 * broken (test/simulation, data layer), as unit tests of two DataServices on a hand-driven link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import type { PeerFrame } from '../peer/index.ts';
import { MetaStore, type Db } from '../store/index.ts';
import { AlarmService } from './alarm-service.ts';
import { AlarmStore } from './alarm-store.ts';
import { ConfigStore } from './config-store.ts';
import { DataService } from './data-service.ts';
import { RuntimeStore } from './runtime-store.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

const memoryTag = { dataType: 'float', source: { kind: 'memory' } };
const deviceTag = {
  dataType: 'float',
  source: { kind: 'modbus', device: 'D0', register: 1, table: 'holding' },
};

interface TestNode {
  readonly data: DataService;
  readonly db: Db;
  readonly state: { active: boolean; linked: boolean; epoch: number };
  /** The reasons of every full resync this node recorded. */
  readonly resyncs: string[];
  /** Frames sent and not yet delivered (a link that is up queues them, a link that is down drops them). */
  readonly outbox: PeerFrame[];
  /** Device writes waiting for the device's answer. */
  readonly device: { writes: number; answer: (() => void)[] };
}

function node(nodeId: string, clock: ManualClock): TestNode {
  const { db, dispose } = tempDatabase();
  disposers.push(dispose);
  const config = new ConfigStore(db, new MetaStore(db));
  const state = { active: false, linked: false, epoch: 1 };
  const resyncs: string[] = [];
  const outbox: PeerFrame[] = [];
  const device = { writes: 0, answer: [] as (() => void)[] };
  const data = new DataService(config, new RuntimeStore(db), new AlarmService(new AlarmStore(db), config), {
    nodeId,
    clock,
    send: (frame) => {
      if (state.linked) outbox.push(JSON.parse(JSON.stringify(frame)) as PeerFrame);
    },
    linked: () => state.linked,
    isActive: () => state.active,
    epoch: () => state.epoch,
    fullResync: (reason) => resyncs.push(reason),
    changed: () => undefined,
    writeDevice: () => {
      device.writes++;
      return new Promise((resolve) => device.answer.push(resolve));
    },
    durable: () => Promise.resolve(),
  });
  return { data, db, state, outbox, device, resyncs };
}

/** Lets every settled promise run its continuation. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Delivers what `from` sent to `to`, in order; returns the kinds of frames delivered. */
async function deliver(from: TestNode, to: TestNode): Promise<string[]> {
  const frames = from.outbox.splice(0);
  for (const frame of frames) to.data.onFrame(frame);
  await settle();
  return frames.map((f) => f.t);
}

/** Delivers both ways until nothing is left in flight. */
async function quiesce(a: TestNode, b: TestNode): Promise<void> {
  for (let i = 0; i < 50 && (a.outbox.length > 0 || b.outbox.length > 0); i++) {
    await deliver(a, b);
    await deliver(b, a);
  }
}

function linkUp(a: TestNode, b: TestNode): void {
  a.state.linked = true;
  b.state.linked = true;
  a.data.onLinkUp(b.state.active);
  b.data.onLinkUp(a.state.active);
}

function linkDown(...nodes: TestNode[]): void {
  for (const n of nodes) {
    n.state.linked = false;
    n.outbox.length = 0;
    n.data.onLinkDown();
  }
}

function tracked<T>(promise: Promise<T>): { done: boolean; value: T | undefined } {
  const t: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  void promise.then((value) => {
    t.done = true;
    t.value = value;
  });
  return t;
}

/**
 * Both nodes active and cut off: each commits its own changes (the master fewer than the backup). D0 changes
 * on both sides (a conflict); D1 and D2 only on the backup.
 */
async function split(): Promise<{ master: TestNode; backup: TestNode }> {
  const clock = new ManualClock(1_000_000);
  const master = node('master', clock);
  const backup = node('backup', clock);
  master.state.active = true;
  backup.state.active = true;
  backup.state.epoch = 2;
  await master.data.putConfig('device', 'D0', { host: 'from-master' });
  await backup.data.putConfig('device', 'D0', { host: 'from-backup' });
  await backup.data.putConfig('device', 'D1', { host: 'from-backup' });
  await backup.data.putConfig('device', 'D2', { host: 'from-backup' });
  return { master, backup };
}

/** A master (active) and a backup, not linked yet. */
function masterAndBackup(): { master: TestNode; backup: TestNode } {
  const clock = new ManualClock(1_000_000);
  const master = node('master', clock);
  master.state.active = true;
  return { master, backup: node('backup', clock) };
}

/** A formed pair: the master active, linked to the backup, with tag `a` on both. */
async function formedPair(): Promise<{ master: TestNode; backup: TestNode }> {
  const { master, backup } = masterAndBackup();
  linkUp(master, backup);
  const first = master.data.putConfig('tag', 'a', memoryTag);
  await quiesce(master, backup);
  await first;
  return { master, backup };
}

/** Both nodes hold the same items (by kind and key, with their definitions). */
function sameConfig(a: TestNode, b: TestNode): void {
  for (const kind of ['tag', 'device', 'alarm-rule'] as const)
    expect(a.data.config.list(kind)).toEqual(b.data.config.list(kind));
  expect(a.data.config.head()).toEqual(b.data.config.head());
}

describe('Commands: a node executes a given uid at most once', () => {
  it('a repeat that arrives while the first still waits for its device answers the first result, and the device is written once (simulation seed 88)', async () => {
    const a = node('a', new ManualClock(1000));
    a.state.active = true;
    await a.data.putConfig('tag', 'M0', deviceTag);
    const first = tracked(a.data.writeTag('M0', 5, 'u1'));
    const repeat = tracked(a.data.writeTag('M0', 5, 'u1'));
    await settle();
    expect(a.device.writes).toBe(1);
    a.device.answer.splice(0).forEach((answer) => answer());
    await settle();
    await settle();
    expect(first.value).toEqual({ ok: true, uid: 'u1', executed: true });
    expect(repeat.value).toEqual({ ok: true, uid: 'u1', executed: false });
    expect(a.device.writes).toBe(1);
  });
});

describe('Durability: a command is acknowledged only once the standby has stored it', () => {
  it('a repeat answered from the ledger waits for the standby too, when the first answer went out without it (simulation seed 123)', async () => {
    const clock = new ManualClock(1000);
    const a = node('a', clock);
    const b = node('b', clock);
    a.state.active = true;
    await a.data.putConfig('tag', 'T0', memoryTag);
    // Executed and answered while the peer was away.
    expect(await a.data.writeTag('T0', 7, 'u1')).toMatchObject({ executed: true });
    linkUp(a, b);
    const repeat = tracked(a.data.writeTag('T0', 7, 'u1'));
    await settle();
    expect(repeat.done).toBe(false);
    await quiesce(a, b);
    expect(repeat.value).toEqual({ ok: true, uid: 'u1', executed: false });
    expect(b.data.runtime.ledgerEntry('u1')).toBeDefined();
    expect(b.data.runtime.get('T0')?.value).toBe(7);
  });
});

describe('Data: runtime values, newest version wins on both nodes', () => {
  it('a write acknowledged during a split by the node under the lower epoch, after it received the other node’s values, replaces them on both nodes (simulation data seed 1177)', async () => {
    const { master, backup } = await formedPair();
    linkDown(master, backup);
    backup.state.active = true;
    backup.state.epoch = 2;
    master.state.epoch = 3;
    expect(await master.data.writeTag('a', 15, 'w17')).toMatchObject({ executed: true });
    linkUp(master, backup);
    await deliver(master, backup);
    expect(backup.data.runtime.get('a')?.value).toBe(15);

    const write = tracked(backup.data.writeTag('a', 37, 'w20'));
    await quiesce(master, backup);
    expect(write.value).toEqual({ ok: true, uid: 'w20', executed: true });
    expect(backup.data.runtime.get('a')?.value).toBe(37);
    expect(master.data.runtime.get('a')?.value).toBe(37);
  });
});

describe('Durability: what the disk refuses is not kept in memory either', () => {
  it('an acknowledgement whose transaction the disk refuses leaves the alarm unacknowledged in what the node holds and shows (chaos seed 153148)', async () => {
    const a = node('a', new ManualClock(1000));
    a.state.active = true;
    await a.data.putConfig('tag', 'T0', memoryTag);
    await a.data.putConfig('alarm-rule', 'A0', { tag: 'T0', condition: 'high', threshold: 10 });
    await a.data.writeTag('T0', 50, 'u0');
    expect(a.data.alarms.store.get('A0')).toMatchObject({ active: true, acked: false });
    // No page more, as on a full disk: the small alarm row still fits, the long ledger entry does not.
    a.db.pragma(`max_page_count = ${a.db.pragma('page_count', { simple: true }) as number}`);
    await expect(a.data.ackAlarm('A0', 'operator', `u-${'x'.repeat(20_000)}`)).rejects.toMatchObject({
      code: 'SQLITE_FULL',
    });
    expect(a.data.alarms.store.get('A0')).toMatchObject({ active: true, acked: false, ackedBy: null });
    expect(a.data.alarms.list()[0]).toMatchObject({ active: true, acked: false });
  });
});

describe('Durability: a config change is acknowledged only once the standby has stored it', () => {
  it('a standby does not acknowledge the active node’s change when it holds another change of that seq, made on its side of a split (simulation seed 326)', async () => {
    const { master, backup } = await split();
    // The link heals; the backup loses and follows the master (its config head is on its way).
    backup.state.active = false;
    linkUp(master, backup);
    const change = tracked(master.data.putConfig('device', 'D3', { host: 'from-master' }));
    // The change (seq 2) reaches the backup, whose own seq 2 is another change: not stored, not acknowledged.
    await deliver(master, backup);
    expect(await deliver(backup, master)).not.toContain('config-ack');
    expect(change.done).toBe(false);
    await quiesce(master, backup);
    expect(change.done).toBe(true);
    expect(backup.data.config.get('device', 'D3')).toEqual({ host: 'from-master' });
    expect(backup.data.config.head()).toEqual(master.data.config.head());
  });

  it('a change made on the losing side of a split while it waited is answered once the winner merged it, not left waiting for an ack that never comes (simulation seed 635)', async () => {
    const { master, backup } = await split();
    // Both active and linked: the backup's change goes to a peer that is active and does not take it.
    linkUp(master, backup);
    const change = tracked(backup.data.putConfig('device', 'D4', { host: 'from-backup' }));
    await deliver(backup, master);
    await deliver(master, backup);
    expect(change.done).toBe(false);
    // The split is resolved for the master: the backup follows it; what only it changed is merged by key.
    backup.state.active = false;
    backup.data.sendConfigHead();
    await quiesce(master, backup);
    expect(change.done).toBe(true);
    expect(master.data.config.get('device', 'D4')).toEqual({ host: 'from-backup' });
    expect(master.data.config.conflicts.list().map((c) => c.key)).toEqual(['D0']);
    sameConfig(master, backup);
  });

  it('a change that waited on the losing side and lost to the same key changed on the winner is refused with a conflict, never answered as done', async () => {
    const { master, backup } = await split();
    linkUp(master, backup);
    const change = backup.data.putConfig('device', 'D0', { host: 'again-from-backup' });
    const outcome = change.then(
      () => 'done',
      (error: unknown) => (error as { code?: string }).code,
    );
    await deliver(backup, master);
    await deliver(master, backup);
    backup.state.active = false;
    backup.data.sendConfigHead();
    await quiesce(master, backup);
    expect(await outcome).toBe('CONFLICT');
    expect(backup.data.config.get('device', 'D0')).toEqual({ host: 'from-master' });
    expect(master.data.config.conflicts.list().map((c) => c.value)).toEqual([{ host: 'again-from-backup' }]);
  });

  it('many changes at once (the CSV import) that waited on the losing side: one lost to the winner refuses them all, never answered as done', async () => {
    const { master, backup } = await split();
    linkUp(master, backup);
    // D0 was changed on the master during the split; D9 was not.
    const change = backup.data.putConfigAll('device', [
      { key: 'D0', definition: { host: 'again-from-backup' } },
      { key: 'D9', definition: { host: 'new-from-backup' } },
    ]);
    const outcome = change.then(
      () => 'done',
      (error: unknown) => (error as { code?: string }).code,
    );
    await deliver(backup, master);
    await deliver(master, backup);
    backup.state.active = false;
    backup.data.sendConfigHead();
    await quiesce(master, backup);
    expect(await outcome).toBe('CONFLICT');
    expect(master.data.config.conflicts.list().map((c) => c.key)).toContain('D0');
  });
});

describe('Partitions: the loser’s changes are stored as a conflict set an operator can review and re-apply', () => {
  it('the active node holds the conflict set also when the frame that carried it was lost with the link (simulation seed 254)', async () => {
    const { master, backup } = await split();
    backup.state.active = false;
    linkUp(master, backup);
    await deliver(master, backup);
    // The backup asked for the master's config with its own changes: the master merged them by key (D0
    // changed on both sides is a conflict) and answered with a snapshot.
    await deliver(backup, master);
    await deliver(master, backup);
    expect(backup.data.config.conflicts.list().map((c) => c.key)).toEqual(['D0']);
    // The link is lost before the backup's acknowledgement: both still hold the set, and hold it alike after.
    linkDown(master, backup);
    expect(master.data.config.conflicts.list().map((c) => c.key)).toEqual(['D0']);
    linkUp(master, backup);
    await quiesce(master, backup);
    expect(master.data.config.conflicts.list().map((c) => `${c.op} ${c.kind} ${c.key}`)).toEqual([
      'put device D0',
    ]);
    expect(master.data.config.conflicts.list()).toEqual(backup.data.config.conflicts.list());
    sameConfig(master, backup);
  });
});

describe('Data: a hand-over, a restart or a failover without a split never moves a change into the conflict set', () => {
  it('changes still waiting on the node that stands down reach the new active node before its first own change', async () => {
    const { master, backup } = masterAndBackup();
    linkUp(master, backup);
    await quiesce(master, backup);
    // One batch in flight, one waiting behind it when the operator switches over.
    const first = tracked(master.data.putConfig('tag', 'a', memoryTag));
    await settle();
    const second = tracked(master.data.putConfig('tag', 'b', memoryTag));
    // The master stands down (TandemNode tells the data service) and then answers the hand-over; frames
    // keep their order, so the backup receives what waited before it becomes active.
    master.state.active = false;
    master.data.statusChanged('standby');
    await deliver(master, backup);
    backup.state.active = true;
    backup.state.epoch = 2;
    const third = tracked(backup.data.putConfig('tag', 'c', memoryTag));
    await quiesce(master, backup);
    expect([first.done, second.done, third.done]).toEqual([true, true, true]);
    expect(master.data.config.list('tag').map((t) => t.key)).toEqual(['a', 'b', 'c']);
    expect(master.data.config.conflicts.list()).toEqual([]);
    expect([...master.resyncs, ...backup.resyncs]).toEqual([]);
    sameConfig(master, backup);
  });

  it('a snapshot that arrives while changes made here still wait unstored is loaded, not a crash, and those changes are kept', async () => {
    const { master, backup } = masterAndBackup();
    backup.state.active = true;
    await master.data.putConfig('tag', 'base', memoryTag);
    // The backup (active too, a split) has one change on its way and one staged behind it, not yet stored.
    backup.state.linked = true;
    const inFlight = backup.data.putConfig('tag', 'sent', memoryTag).catch((e: unknown) => e);
    await settle();
    const staged = backup.data.putConfig('tag', 'staged', memoryTag).catch((e: unknown) => e);
    // It loses the split and the master's snapshot comes before it heard of that (no stand-down yet).
    backup.state.active = false;
    const snapshot = master.data.config.snapshot();
    expect(() =>
      backup.data.onFrame({ t: 'config-snapshot', head: snapshot.head, items: [...snapshot.items] }),
    ).not.toThrow();
    await settle();
    expect(backup.data.config.head()).toEqual(master.data.config.head());
    // Not merged (the master never saw them) and not dropped: kept as conflicts, the callers told so.
    expect(backup.data.config.conflicts.list().map((c) => c.key)).toEqual(['sent', 'staged']);
    expect(await staged).toMatchObject({ code: 'CONFLICT' });
    expect(await inFlight).toMatchObject({ code: 'CONFLICT' });
  });

  it('a change the active node sent before it read a returning standby’s head is brought by the answer, not a full resync', async () => {
    const { master, backup } = await formedPair();
    // The backup is away while the master changes config, then comes back: its head goes out.
    linkDown(master, backup);
    await master.data.putConfig('tag', 'b', memoryTag);
    const resyncsBefore = backup.resyncs.length; // the first link copied the master's config
    linkUp(master, backup);
    const change = tracked(master.data.putConfig('tag', 'c', memoryTag)); // before the master reads it
    await settle();
    await deliver(master, backup); // change 3 does not follow the backup's head 1: the answer brings it
    await quiesce(master, backup);
    expect(change.done).toBe(true);
    expect(backup.resyncs.slice(resyncsBefore)).toEqual([]);
    sameConfig(master, backup);
  });

  it('a standby that links again already up to date knows where the active node stands (its status showed the peer unknown)', async () => {
    const { master, backup } = await formedPair();
    linkDown(master, backup);
    linkUp(master, backup);
    await quiesce(master, backup);
    expect(backup.data.syncView().peerConfigSeq).toBe(master.data.config.head().seq);
    expect(master.data.syncView().peerConfigSeq).toBe(backup.data.config.head().seq);
  });

  it('a node that is no longer active refuses a change that reached it after the hand-over (the caller asks again)', async () => {
    const { master } = masterAndBackup();
    master.state.active = false;
    await expect(master.data.putConfig('tag', 'late', memoryTag)).rejects.toMatchObject({
      code: 'NOT_ACTIVE',
    });
    expect(master.data.config.get('tag', 'late')).toBeUndefined();
  });
});

describe('Partitions: data is merged by key, not by role', () => {
  it('a key changed on one side only keeps that change, whichever side wins; only a key changed on both sides is a conflict', async () => {
    const { master, backup } = await split();
    backup.state.active = false;
    linkUp(master, backup);
    await quiesce(master, backup);
    expect(master.data.config.get('device', 'D0')).toEqual({ host: 'from-master' });
    expect(master.data.config.get('device', 'D1')).toEqual({ host: 'from-backup' });
    expect(master.data.config.get('device', 'D2')).toEqual({ host: 'from-backup' });
    expect(master.data.config.conflicts.list().map((c) => [c.key, c.value])).toEqual([
      ['D0', { host: 'from-backup' }],
    ]);
    expect(backup.data.config.conflicts.list()).toEqual(master.data.config.conflicts.list());
    sameConfig(master, backup);
  });

  it('a frozen master that returns and wins takes everything the backup changed meanwhile, with no conflict', async () => {
    const { master, backup } = await formedPair();
    // The master freezes; the backup takes over and changes config; the master resumes and wins.
    linkDown(master, backup);
    backup.state.active = true;
    backup.state.epoch = 2;
    await backup.data.putConfig('tag', 'b', memoryTag);
    await backup.data.deleteConfig('tag', 'a');
    backup.state.active = false;
    linkUp(master, backup);
    await quiesce(master, backup);
    expect(master.data.config.list('tag').map((t) => t.key)).toEqual(['b']);
    expect(master.data.config.conflicts.list()).toEqual([]);
    sameConfig(master, backup);
  });

  it('merging again what was merged before (the answer was lost with the link) changes nothing and makes no conflict', async () => {
    const { master, backup } = await split();
    backup.state.active = false;
    linkUp(master, backup);
    await deliver(master, backup);
    await deliver(backup, master); // the master merges and answers; the answer is lost
    linkDown(master, backup);
    linkUp(master, backup);
    await quiesce(master, backup);
    expect(master.data.config.conflicts.list().map((c) => c.key)).toEqual(['D0']);
    sameConfig(master, backup);
  });
});

describe('Partitions: the loser’s changes are kept, not dropped', () => {
  it('the snapshot that takes them out of the log and the conflict set that keeps them are stored together', async () => {
    const { master, backup } = await split();
    backup.state.active = false;
    linkUp(master, backup);
    await deliver(master, backup);
    await deliver(backup, master);
    const before = backup.data.config.head();
    // The process dies between the two: nothing of the snapshot may be stored either.
    backup.data.config.conflicts.has = () => {
      throw new Error('power lost');
    };
    backup.outbox.length = 0;
    const snapshot = master.outbox.splice(0);
    expect(snapshot.map((f) => f.t)).toContain('config-snapshot');
    expect(() => snapshot.forEach((f) => backup.data.onFrame(f))).toThrow('power lost');
    expect(backup.data.config.head()).toEqual(before);
    expect(backup.data.config.get('device', 'D1')).toEqual({ host: 'from-backup' });
    expect(backup.data.config.changesAfter({ seq: 0, checksum: '0'.repeat(64) })?.map((c) => c.key)).toEqual([
      'D0',
      'D1',
      'D2',
    ]);
  });
});
