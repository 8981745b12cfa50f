import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, pingsMissed, waitFor } from './harness.ts';
import { splitPair, type SplitPair } from './split-pair.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A pair whose backup reaches the master through a proxy that the test can cut. */
async function partitionablePair(masterArgs: string[], backupArgs: string[]): Promise<SplitPair> {
  const pair = await splitPair('line-2', masterArgs, backupArgs);
  cleanup.push(() => pair.stop());
  return pair;
}

async function listeningPort(): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as net.AddressInfo).port;
}

describe('Partitions, with real processes and a real broken link', () => {
  it('without the isolation check both become active; when the link heals exactly one stays and the dual-active time is recorded', async () => {
    const { master, backup, proxy } = await partitionablePair([], []);
    proxy.cut();
    await backup.waitStatus((s) => s.node.status === 'active', 'backup active during the split');
    const bothActiveSeen = Date.now();
    expect((await master.status())?.node.status).toBe('active');
    // The split lasts five more heartbeats of the backup's.
    await pingsMissed(backup, 5);
    const healAt = Date.now();
    proxy.heal();
    await backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'backup stands down after healing',
    );
    expect((await master.status())?.node.status).toBe('active');
    // The backup records the split as it stands down; the event reaches the master's history just after.
    const split = await waitFor(
      async () => (await master.events()).find((e) => e.kind === 'split-brain'),
      10_000,
      "the split in the master's history",
    );
    expect(split.node).toBe('backup');
    expect(split.reason).toBe('partition healed');
    expect(split.durationMs).toBeGreaterThanOrEqual(healAt - bothActiveSeen);
  });

  it('isolation check: a backup that cannot reach the isolation host does not take over', async () => {
    // A port nothing listens on: chosen and released on purpose.
    const closedPort = await freePort();
    const { master, backup, proxy } = await partitionablePair(
      [],
      ['--isolation-check', `127.0.0.1:${closedPort}`],
    );
    proxy.cut();
    await backup.waitStatus(
      (s) => s.peer?.link !== 'connected' && (s.peer?.missedPings ?? 0) >= 3,
      'backup misses the master',
    );
    // It would take over after three missed heartbeats and the failover time (FAST: 600 ms); twenty more
    // heartbeats missed, it still has not.
    expect((await pingsMissed(backup, 20)).node.status).toBe('standby');
    expect((await master.status())?.node.status).toBe('active');
  });

  it('isolation check: a backup that reaches the isolation host takes over from a dead master', async () => {
    const { master, backup } = await partitionablePair(
      [],
      ['--isolation-check', `127.0.0.1:${await listeningPort()}`],
    );
    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
  });

  it('isolation check: an active master that reaches neither its backup nor the isolation host steps down', async () => {
    // A port nothing listens on (see above).
    const closedPort = await freePort();
    const { master, proxy } = await partitionablePair(['--isolation-check', `127.0.0.1:${closedPort}`], []);
    proxy.cut();
    const s = await master.waitStatus((v) => v.node.status === 'standby', 'master steps down');
    expect(s.node.status).toBe('standby');
    const change = (await master.events()).find((e) => e.kind === 'role-change' && e.to === 'standby');
    expect(change?.reason).toBe('isolated');
  });
});
