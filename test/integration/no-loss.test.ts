/**
 * Nothing a caller saw succeed is lost (docs/rules.md "Data 3", "Partitions 3"; docs/redundancy.md
 * "Hand-over", "Merge by key"), tried as a plant would: real `tandem-node` processes, writers that follow
 * 307s and fail over like the client library, switch-overs, clean restarts and a frozen master (SIGSTOP)
 * while they write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formPair, makePair, waitFor, type NodeProcess, type Pair } from './harness.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startPair(): Promise<Pair> {
  const pair = await makePair();
  cleanup.push(() => pair.stop());
  return formPair(pair);
}

/** The last value each key was acknowledged with (writers own their keys, so nothing else supersedes it). */
type Acknowledged = Map<string, string>;

/**
 * A writer that puts its own tags in turn, each with a new marker, until told to stop. Like the client library:
 * a 307 is followed, a 503 or a refused connection moves it to the other node; a change is retried until
 * some node answers it.
 */
function writer(
  nodes: readonly NodeProcess[],
  id: string,
  acknowledged: Acknowledged,
): { stop: () => Promise<number>; readonly writes: number } {
  let running = true;
  let writes = 0;
  const done = (async () => {
    let current = 0;
    for (let i = 0; running; i++) {
      const key = `${id}.k${i % 5}`;
      const description = `${id}-${i}`;
      for (let attempt = 0; attempt < 200; attempt++) {
        const node = nodes[current]!;
        const answer = await node
          .api('PUT', `/api/config/tags/${key}`, {
            dataType: 'float',
            source: { kind: 'memory' },
            description,
          })
          .catch(() => null);
        if (answer?.status === 200) {
          acknowledged.set(key, description);
          writes++;
          break;
        }
        // 307 to the active node, 503 (no active node known, or the hand-over came in between), or no answer.
        current = 1 - current;
        if (answer === null || answer.status === 503) await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return writes;
    },
    get writes() {
      return writes;
    },
  };
}

/** Both nodes up, one active and one standby, linked; with `sameConfig`, holding the same config too. */
async function settled(pair: Pair, sameConfig = true): Promise<void> {
  await waitFor(
    async () => {
      const [m, b] = await Promise.all([pair.master.status(), pair.backup.status()]);
      if (!m || !b || m.peer?.link !== 'connected' || b.peer?.link !== 'connected') return undefined;
      const statuses = [m.node.status, b.node.status].sort().join();
      if (statuses !== 'active,standby') return undefined;
      return !sameConfig || m.sync.configSeq === b.sync.configSeq ? true : undefined;
    },
    30_000,
    'the pair settled with the same config on both nodes',
  );
}

async function expectAllOnBoth(pair: Pair, acknowledged: Acknowledged): Promise<void> {
  for (const node of [pair.master, pair.backup]) {
    const tags = (await node.api<{ name: string; description?: string }[]>('GET', '/api/config/tags')).body;
    const held = new Map(tags.map((t) => [t.name, t.description]));
    const lost = [...acknowledged].filter(([key, description]) => held.get(key) !== description);
    expect(lost, `acknowledged changes not in effect on ${node.url}`).toEqual([]);
    expect((await node.api<unknown[]>('GET', '/api/config/conflicts')).body).toEqual([]);
  }
}

/** The standby of the pair, which an operator asks to take over. */
async function standbyOf(pair: Pair): Promise<NodeProcess> {
  return waitFor(
    async () => {
      for (const node of [pair.master, pair.backup])
        if ((await node.status())?.node.status === 'standby') return node;
      return undefined;
    },
    20_000,
    'a standby node',
  );
}

describe('Data: a hand-over, a restart or a failover without a split never moves a change into the conflict set', () => {
  it(
    'switch-overs and clean restarts of the master under three writers lose no acknowledged change',
    { timeout: 180_000 },
    async () => {
      const pair = await startPair();
      const acknowledged: Acknowledged = new Map();
      const writers = ['w1', 'w2', 'w3'].map((id) => writer([pair.master, pair.backup], id, acknowledged));
      // Each step lets the writers get five more changes acknowledged first, however slow the machine.
      const writesGoOn = async (): Promise<void> => {
        const total = (): number => writers.reduce((sum, w) => sum + w.writes, 0);
        const before = total();
        await waitFor(() => (total() >= before + 5 ? true : undefined), 30_000, 'five more writes');
      };
      for (let round = 0; round < 2; round++) {
        await writesGoOn();
        const standby = await standbyOf(pair);
        expect((await standby.api('POST', '/api/redundancy/switchover')).status).toBe(200);
        await standby.waitStatus((s) => s.node.status === 'active', 'the switch-over');
        await writesGoOn();
        // A clean restart of the master (SIGTERM: it hands over if it is active), then it comes back.
        await pair.master.kill('SIGTERM');
        await pair.master.start();
        await settled(pair, false);
      }
      const writes = await Promise.all(writers.map((w) => w.stop()));
      await settled(pair);
      expect(writes.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
      await expectAllOnBoth(pair, acknowledged);
    },
  );
});

describe('Partitions: data is merged by key, not by role', () => {
  it('a master frozen past the failover time returns and wins: what the backup changed meanwhile stays, with no conflict', async () => {
    const pair = await startPair();
    const acknowledged: Acknowledged = new Map();
    const put = async (node: NodeProcess, key: string, description: string) => {
      const answer = await node.api('PUT', `/api/config/tags/${key}`, {
        dataType: 'float',
        source: { kind: 'memory' },
        description,
      });
      expect(answer.status).toBe(200);
      acknowledged.set(key, description);
    };
    await put(pair.master, 'before', 'made before the freeze');
    await settled(pair);
    pair.master.child!.kill('SIGSTOP');
    try {
      await pair.backup.waitStatus((s) => s.node.status === 'active', 'the backup takes over');
      for (let i = 0; i < 10; i++) await put(pair.backup, `during.${i}`, `made on the backup ${i}`);
      await put(pair.backup, 'before', 'changed on the backup');
    } finally {
      pair.master.child!.kill('SIGCONT');
    }
    await settled(pair);
    await pair.master.waitStatus((s) => s.node.status === 'active', 'the master active again');
    await expectAllOnBoth(pair, acknowledged);
  });
});
