import { afterEach, describe, expect, it } from 'vitest';
import { formPair, makePair, NodeProcess, waitFor, type Pair } from './harness.ts';
import { splitPair } from './split-pair.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const memoryTag = { dataType: 'float', source: { kind: 'memory' } };

async function formedPair(masterArgs: string[] = [], backupArgs: string[] = []): Promise<Pair> {
  const pair = await makePair(masterArgs, backupArgs);
  cleanup.push(() => pair.stop());
  return formPair(pair);
}

async function tagValue(node: NodeProcess, name: string): Promise<unknown> {
  return (await node.api<{ value: unknown }>('GET', `/api/tags/${name}`)).body.value;
}

describe('Data: config and runtime replication between two real nodes', () => {
  it('durability: a config change the caller saw succeed is already stored on the standby', async () => {
    const { master, backup } = await formedPair();
    for (let i = 0; i < 20; i++) {
      const put = await master.api('PUT', `/api/config/tags/line.speed.${i}`, memoryTag);
      expect(put.status).toBe(200);
      // Read straight after the answer: no waiting, the standby must have it.
      expect((await backup.api('GET', `/api/config/tags/line.speed.${i}`)).status).toBe(200);
    }
    const write = await master.api<{ ok: boolean; executed: boolean }>(
      'POST',
      '/api/tags/line.speed.3/write',
      { value: 12.5 },
    );
    expect(write.body).toMatchObject({ ok: true, executed: true });
    expect(await tagValue(backup, 'line.speed.3')).toBe(12.5);
    // The dashboard's sync state: both sides at the same config change, and a measured runtime lag.
    const sync = (await master.status())?.sync;
    expect(sync?.configSeq).toBe((await backup.status())?.sync.configSeq);
    expect(sync?.peerConfigSeq).toBe(sync?.configSeq);
    expect(sync?.runtimeLagMs).toBeGreaterThanOrEqual(0);
  });

  it("a standby answers a change with 307 and the active node's address; reads are answered locally", async () => {
    const { master, backup } = await formedPair();
    const answer = await backup.api('PUT', '/api/config/tags/valve', memoryTag);
    expect(answer.status).toBe(307);
    const location = (
      await fetch(`${backup.url}/api/config/tags/valve`, {
        method: 'PUT',
        redirect: 'manual',
        headers: { authorization: `Bearer ${backup.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(memoryTag),
      })
    ).headers.get('location');
    expect(location).toBe(`${master.url}/api/config/tags/valve`);
    expect((await backup.api('GET', '/api/config/tags')).status).toBe(200);
  });

  it('bad input: 400 naming the field, 404 for an unknown tag, 409 for a read-only tag; nothing stored', async () => {
    const { master } = await formedPair();
    const bad = await master.api<{ error: { message: string } }>('PUT', '/api/config/tags/t1', {
      dataType: 'double',
      source: { kind: 'memory' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('dataType');
    expect((await master.api('GET', '/api/config/tags/t1')).status).toBe(404);
    expect((await master.api('POST', '/api/tags/nope/write', { value: 1 })).status).toBe(404);
    await master.api('PUT', '/api/config/tags/sim', {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'sine', periodMs: 1000 },
    });
    expect((await master.api('POST', '/api/tags/sim/write', { value: 1 })).status).toBe(409);
    await master.api('PUT', '/api/config/tags/flag', { dataType: 'bool', source: { kind: 'memory' } });
    const wrongType = await master.api<{ error: { message: string } }>('POST', '/api/tags/flag/write', {
      value: 'yes',
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain('value');
  });

  it('commands: a uid runs at most once per pair, also when the client retries against the other node after a failover', async () => {
    const { master, backup } = await formedPair();
    await master.api('PUT', '/api/config/tags/setpoint', memoryTag);
    const first = await master.api<{ executed: boolean; uid: string }>('POST', '/api/tags/setpoint/write', {
      value: 1,
      uid: 'cmd-42',
    });
    expect(first.body).toMatchObject({ executed: true, uid: 'cmd-42' });
    const repeat = await master.api<{ executed: boolean }>('POST', '/api/tags/setpoint/write', {
      value: 1,
      uid: 'cmd-42',
    });
    expect(repeat.body.executed).toBe(false);
    await master.api('POST', '/api/tags/setpoint/write', { value: 7 });
    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    const retried = await backup.api<{ executed: boolean; ok: boolean }>('POST', '/api/tags/setpoint/write', {
      value: 1,
      uid: 'cmd-42',
    });
    expect(retried.body).toMatchObject({ ok: true, executed: false });
    expect(await tagValue(backup, 'setpoint')).toBe(7);
  });

  it("seed thread 001: the backup's value and config survive a manual switch back to the master", async () => {
    const { master, backup } = await formedPair(['--recovery', 'manual'], ['--recovery', 'manual']);
    await master.api('PUT', '/api/config/tags/recipe', { dataType: 'int', source: { kind: 'memory' } });
    await master.api('POST', '/api/tags/recipe/write', { value: 1 });
    expect(await master.kill('SIGTERM')).toBe(0);
    await backup.waitStatus((s) => s.node.status === 'active', 'backup active');
    await backup.api('POST', '/api/tags/recipe/write', { value: 2 });
    await backup.api('PUT', '/api/config/tags/added.on.backup', memoryTag);
    await master.start();
    await master.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.status === 'active',
      'master standby (manual)',
    );
    const answer = await master.api<{ status: string }>('POST', '/api/redundancy/switchover');
    expect(answer.body.status).toBe('active');
    expect(await tagValue(master, 'recipe')).toBe(2);
    expect((await master.api('GET', '/api/config/tags/added.on.backup')).status).toBe(200);
  });

  it('automatic recovery: config the backup changed while active is on the master before it takes over', async () => {
    const { master, backup } = await formedPair(['--recovery', 'automatic']);
    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup active');
    for (let i = 0; i < 50; i++) await backup.api('PUT', `/api/config/tags/during.outage.${i}`, memoryTag);
    await backup.api('POST', '/api/tags/during.outage.7/write', { value: 3.5 });
    await master.start();
    await master.waitStatus((s) => s.node.status === 'active', 'master takes back');
    const tags = (await master.api<{ name: string }[]>('GET', '/api/config/tags')).body;
    expect(tags.filter((t) => t.name.startsWith('during.outage.'))).toHaveLength(50);
    expect(await tagValue(master, 'during.outage.7')).toBe(3.5);
  });

  it("Partitions: data is merged by key, not by role: after a split the winner's value applies where both changed a key, the loser's there is a conflict to re-apply, and what only the loser changed is kept", async () => {
    const { master, backup, proxy, stop } = await splitPair('line-3');
    cleanup.push(stop);
    await master.api('PUT', '/api/config/tags/shared', memoryTag);
    proxy.cut();
    await backup.waitStatus((s) => s.node.status === 'active', 'backup active in the split');
    await master.api('PUT', '/api/config/tags/from.master', memoryTag);
    await backup.api('PUT', '/api/config/tags/from.backup', memoryTag);
    // Both sides change the same tag: the master's (the winner's) value applies, the backup's is a conflict.
    await master.api('PUT', '/api/config/tags/shared', { ...memoryTag, description: 'master' });
    await backup.api('PUT', '/api/config/tags/shared', { ...memoryTag, description: 'backup' });
    proxy.heal();
    await backup.waitStatus((s) => s.node.status === 'standby' && s.peer?.link === 'connected', 'healed');
    const conflicts = await waitFor(
      async () => {
        const list = (
          await master.api<{ id: string; key: string; value: unknown; current: unknown }[]>(
            'GET',
            '/api/config/conflicts',
          )
        ).body;
        return list.length > 0 ? list : undefined;
      },
      10_000,
      'the conflict on the master',
    );
    expect(conflicts.map((c) => c.key)).toEqual(['shared']);
    expect(conflicts[0]!.value).toMatchObject({ description: 'backup' });
    // Listed with what the pair holds under that name now: the master's value.
    expect(conflicts[0]!.current).toMatchObject({ description: 'master' });
    // Both nodes count it in their status: the dashboards' banner and the tray say a review is waiting.
    expect((await master.status())?.sync.conflicts).toBe(1);
    await backup.waitStatus((s) => s.sync.conflicts === 1, 'the backup counts the conflict too');
    // What each side alone changed is on both nodes.
    for (const node of [master, backup]) {
      expect((await node.api('GET', '/api/config/tags/from.master')).status).toBe(200);
      expect((await node.api('GET', '/api/config/tags/from.backup')).status).toBe(200);
    }
    const reapplied = await master.api(
      'POST',
      `/api/config/conflicts/${encodeURIComponent(conflicts[0]!.id)}/reapply`,
    );
    expect(reapplied.status).toBe(200);
    expect((await backup.api<{ description?: string }>('GET', '/api/config/tags/shared')).body).toMatchObject(
      { description: 'backup' },
    );
    expect((await master.api<unknown[]>('GET', '/api/config/conflicts')).body).toEqual([]);
    expect((await master.status())?.sync.conflicts).toBe(0);
    await backup.waitStatus((s) => s.sync.conflicts === 0, 'the re-applied conflict leaves the backup’s set');
    const events = await master.events();
    // The backup's history says where its changes of the split went.
    expect(events.find((e) => e.kind === 'full-resync')?.reason).toMatch(
      /^config snapshot at change \d+ \(\d+ items\); 1 change made here merged by key; 1 change made here kept as conflicts for review$/,
    );
  });
});
