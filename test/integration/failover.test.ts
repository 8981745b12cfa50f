import { afterEach, describe, expect, it } from 'vitest';
import { heartbeatsLater, makePair, type Pair } from './harness.ts';

let pair: Pair | null = null;
afterEach(async () => {
  await pair?.stop();
  pair = null;
});

async function formed(p: Pair): Promise<void> {
  await p.master.start();
  await p.backup.start();
  await p.master.waitStatus(
    (s) => s.node.status === 'active' && s.peer?.link === 'connected',
    'master active with backup',
  );
  await p.backup.waitStatus(
    (s) => s.node.status === 'standby' && s.peer?.status === 'active',
    'backup standby',
  );
}

describe('a real pair on 127.0.0.1', () => {
  it('rule 2: the pair forms: master active, backup standby, link connected both ways', async () => {
    pair = await makePair();
    await formed(pair);
    const backup = await pair.backup.status();
    expect(backup?.peer?.link).toBe('connected');
    expect(backup?.peer?.mode).toBe('master');
    expect(backup?.node.epoch).toBe(1);
    // The master's view of the backup shows the epoch the backup adopted, not the one of its hello.
    await pair.master.waitStatus((s) => s.peer?.epoch === 1, "the master shows the backup's epoch 1");
    const events = await pair.backup.waitStatus((s) => s.sync.eventsReplicated > 0, 'history replicated');
    expect(events.sync.eventsReplicated).toBeGreaterThan(0);
    const masterEvents = await pair.backup.events();
    expect(
      masterEvents.some((e) => e.node === 'master' && e.kind === 'role-change' && e.to === 'active'),
    ).toBe(true);
  });

  it('rule 3: kill -9 of the master makes the backup active after missed heartbeats', async () => {
    pair = await makePair();
    await formed(pair);
    await pair.master.kill('SIGKILL');
    const s = await pair.backup.waitStatus((v) => v.node.status === 'active', 'backup takes over');
    expect(s.node.epoch).toBe(2);
    const change = (await pair.backup.events()).find((e) => e.kind === 'role-change' && e.to === 'active');
    expect(change?.reason).toBe('missed heartbeats');
    expect(change?.durationMs).toBeGreaterThanOrEqual(600);
  });

  it("rule 2 automatic: a returning master takes back after pulling the backup's changes", async () => {
    pair = await makePair(['--recovery', 'automatic']);
    await formed(pair);
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((v) => v.node.status === 'active', 'backup takes over');
    await pair.master.start();
    await pair.master.waitStatus((v) => v.node.status === 'active', 'master takes back');
    await pair.backup.waitStatus((v) => v.node.status === 'standby', 'backup stands down');
    const events = await pair.master.events();
    // The backup's history of its time as active came back to the master.
    expect(events.some((e) => e.node === 'backup' && e.reason === 'missed heartbeats')).toBe(true);
    expect(
      events.find((e) => e.node === 'master' && e.kind === 'role-change' && e.to === 'active')?.reason,
    ).toBe('automatic recovery');
    expect((await pair.master.status())?.node.epoch).toBe(3);
  });

  it('rule 2 manual: a returning master stays standby until an operator requests the switch-over', async () => {
    pair = await makePair(['--recovery', 'manual'], ['--recovery', 'manual']);
    await formed(pair);
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((v) => v.node.status === 'active', 'backup takes over');
    await pair.master.start();
    await pair.master.waitStatus(
      (v) => v.node.status === 'standby' && v.peer?.link === 'connected',
      'master standby',
    );
    // Automatic recovery would take back within a heartbeat; fifteen heartbeats later the master still waits.
    expect((await heartbeatsLater(pair.master, 15)).node.status).toBe('standby');
    expect((await pair.backup.status())?.node.status).toBe('active');
    const answer = await pair.master.api<{ status: string }>('POST', '/api/redundancy/switchover');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('active');
    await pair.backup.waitStatus((v) => v.node.status === 'standby', 'backup stands down');
    const reason = (await pair.master.events()).find((e) => e.node === 'master' && e.to === 'active')?.reason;
    expect(reason).toBe('operator request');
  });

  it("rule 6: an operator's switch-over holds against automatic recovery, shown on both nodes, until switched back", async () => {
    pair = await makePair(['--recovery', 'automatic'], ['--recovery', 'automatic']);
    await formed(pair);
    const before = Date.now();
    const answer = await pair.backup.api<{ status: string }>('POST', '/api/redundancy/switchover');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('active');

    // Automatic recovery took the role back within a heartbeat before; ten heartbeats later it still holds.
    const master = await heartbeatsLater(pair.master, 10);
    const backup = await pair.backup.status();
    expect(master.node.status).toBe('standby');
    expect(backup?.node.status).toBe('active');
    const heldSince = Date.parse(master.node.heldSince ?? '');
    expect(heldSince).toBeGreaterThanOrEqual(before - 1000);
    expect(heldSince).toBeLessThanOrEqual(Date.now() + 1000);
    await pair.backup.waitStatus(
      (v) => v.peer?.heldSince === master.node.heldSince,
      "the backup shows the master's hold",
    );
    const standDown = (await pair.master.events()).find((e) => e.node === 'master' && e.to === 'standby');
    expect(standDown?.reason).toBe('operator request');

    // An operator switches back: the master runs again and holds no more, on both nodes.
    expect(
      (await pair.master.api<{ status: string }>('POST', '/api/redundancy/switchover')).body.status,
    ).toBe('active');
    expect((await pair.master.status())?.node.heldSince).toBeNull();
    await pair.backup.waitStatus(
      (v) => v.node.status === 'standby' && v.peer?.heldSince === null,
      'backup standby, no hold',
    );
  });

  it("rule 6: a switch-over that fails answers 'failed' with the reason, even when a failover made the node active after it", async () => {
    pair = await makePair(['--recovery', 'manual'], ['--recovery', 'manual']);
    await formed(pair);
    // The master freezes as the operator presses the button: it never answers the hand-over request, and the
    // backup takes over by missed heartbeats instead. The answer is the switch-over's, not the failover's.
    pair.master.child!.kill('SIGSTOP');
    try {
      const answer = await pair.backup.api<{ status: string; outcome: string; reason?: string }>(
        'POST',
        '/api/redundancy/switchover',
      );
      expect(answer.status).toBe(200);
      expect(answer.body.outcome).toBe('failed');
      expect(answer.body.reason).toMatch(/^operator request: /);
      const failed = (await pair.backup.events()).find((e) => e.kind === 'switchover-failed');
      expect(failed?.reason).toBe(answer.body.reason);
      await pair.backup.waitStatus((v) => v.node.status === 'active', 'the backup takes over by failover');
    } finally {
      pair.master.child!.kill('SIGCONT');
    }
  });

  it("rule 6: a switch-over answers 'switched' once this node runs, and 'already-active' on the running node", async () => {
    pair = await makePair(['--recovery', 'manual'], ['--recovery', 'manual']);
    await formed(pair);
    const onMaster = await pair.master.api<{ status: string; outcome: string }>(
      'POST',
      '/api/redundancy/switchover',
    );
    expect(onMaster.body).toEqual({ requested: true, status: 'active', outcome: 'already-active' });
    const onBackup = await pair.backup.api<{ status: string; outcome: string }>(
      'POST',
      '/api/redundancy/switchover',
    );
    expect(onBackup.body).toEqual({ requested: true, status: 'active', outcome: 'switched' });
  });

  it('rule 2 window: a returning master takes back by itself when the restore window opens', async () => {
    // Every 3 seconds, one second long (six-field CRON with seconds).
    const window = [
      '--recovery',
      'window',
      '--restore-window',
      '*/3 * * * * *',
      '--restore-window-length',
      '1000',
    ];
    pair = await makePair(window, window);
    await formed(pair);
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((v) => v.node.status === 'active', 'backup takes over');
    await pair.master.start();
    await pair.master.waitStatus((v) => v.node.status === 'active', 'master takes back in the window');
    const reason = (await pair.master.events()).find((e) => e.node === 'master' && e.to === 'active')?.reason;
    expect(reason).toBe('restore window');
  });

  it('rule 4: SIGTERM of the active master hands over at once, without waiting for missed heartbeats', async () => {
    // A failover time of a minute: only the clean hand-over can make the backup active within the test.
    pair = await makePair(['--failover-time', '60000'], ['--failover-time', '60000']);
    await formed(pair);
    const exit = await pair.master.kill('SIGTERM');
    expect(exit).toBe(0);
    const s = await pair.backup.waitStatus(
      (v) => v.node.status === 'active',
      'backup active after clean hand-over',
      10_000,
    );
    expect(s.node.status).toBe('active');
    const change = (await pair.backup.events()).find(
      (e) => e.kind === 'role-change' && e.to === 'active' && e.node === 'backup',
    );
    expect(change?.reason).toBe('clean hand-over');
  });

  it('rule 4: SIGTERM of the standby tells the master, which records the peer as lost at once', async () => {
    pair = await makePair(
      ['--failover-time', '60000', '--missed-pings', '100'],
      ['--failover-time', '60000'],
    );
    await formed(pair);
    expect(await pair.backup.kill('SIGTERM')).toBe(0);
    await pair.master.waitStatus((v) => v.peer?.link !== 'connected', 'master sees the backup gone', 5000);
    const lost = (await pair.master.events()).find((e) => e.kind === 'peer-lost');
    expect(lost?.reason).toBe('peer stopped cleanly');
    expect((await pair.master.status())?.node.status).toBe('active');
  });
});
