import { afterEach, describe, expect, it } from 'vitest';
import { formPair, makePair, type Pair } from './harness.ts';

let pair: Pair | null = null;
afterEach(async () => {
  await pair?.stop();
  pair = null;
});

interface AlarmView {
  id: string;
  active: boolean;
  acked: boolean;
  ackedBy: string | null;
}

describe('Alarms across a failover', () => {
  it('raised on the active node, acknowledged once per uid, the acknowledgement survives a failover', async () => {
    pair = await formPair(await makePair());
    const { master, backup } = pair;
    await master.api('PUT', '/api/config/tags/boiler.temp', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    const rule = await master.api('PUT', '/api/config/alarm-rules/boiler.hot', {
      tag: 'boiler.temp',
      condition: 'high',
      threshold: 90,
      deadband: 2,
      priority: 'critical',
    });
    expect(rule.status).toBe(200);
    const badRule = await master.api<{ error: { message: string } }>('PUT', '/api/config/alarm-rules/bad', {
      tag: 'boiler.temp',
      condition: 'high',
      threshold: 'hot',
    });
    expect(badRule.status).toBe(400);
    expect(badRule.body.error.message).toContain('threshold');

    await master.api('POST', '/api/tags/boiler.temp/write', { value: 95 });
    const onBackup = (await backup.api<AlarmView[]>('GET', '/api/alarms')).body;
    expect(onBackup).toMatchObject([{ id: 'boiler.hot', active: true, acked: false }]);

    expect(
      (await backup.api('POST', '/api/alarms/boiler.hot/ack', { by: 'night shift', uid: 'ack-1' })).status,
    ).toBe(307);
    const ack = await master.api<{ executed: boolean }>('POST', '/api/alarms/boiler.hot/ack', {
      by: 'night shift',
      uid: 'ack-1',
    });
    expect(ack.body.executed).toBe(true);
    expect((await backup.api<AlarmView[]>('GET', '/api/alarms')).body[0]).toMatchObject({
      acked: true,
      ackedBy: 'night shift',
    });

    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    const retry = await backup.api<{ executed: boolean }>('POST', '/api/alarms/boiler.hot/ack', {
      by: 'night shift',
      uid: 'ack-1',
    });
    expect(retry.body.executed).toBe(false);
    await backup.api('POST', '/api/tags/boiler.temp/write', { value: 50 });
    expect((await backup.api<AlarmView[]>('GET', '/api/alarms')).body[0]).toMatchObject({
      active: false,
      acked: true,
    });
  });
});
