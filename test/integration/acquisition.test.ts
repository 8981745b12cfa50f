/**
 * Acquisition and history on two real nodes: a real Modbus TCP server (jsmodbus) runs in this process on
 * 127.0.0.1; the nodes poll it, write to it, and report it unreachable.
 */
import net from 'node:net';
import { ModbusTCPServer } from 'jsmodbus';
import { afterEach, describe, expect, it } from 'vitest';
import { formPair, makePair, waitFor, type NodeProcess, type Pair } from './harness.ts';

/** Waits until the probe holds (truthy), polling the real API; generous bound for a loaded machine. */
async function until(probe: () => Promise<unknown>, what: string): Promise<void> {
  await waitFor(async () => ((await probe()) ? true : undefined), 20_000, what);
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface PlcServer {
  readonly port: number;
  readonly holding: Buffer;
  readonly input: Buffer;
  down(): Promise<void>;
  up(): Promise<void>;
}

async function startPlc(): Promise<PlcServer> {
  const server = net.createServer();
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const holding = Buffer.alloc(200);
  const input = Buffer.alloc(200);
  new ModbusTCPServer(server, { holding, input, coils: Buffer.alloc(16), discrete: Buffer.alloc(16) });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const down = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanup.push(down);
  return { port, holding, input, down, up: () => listen(port) };
}

async function formedPair(masterArgs: string[] = [], backupArgs: string[] = []): Promise<Pair> {
  const pair = await makePair(masterArgs, backupArgs);
  cleanup.push(() => pair.stop());
  return formPair(pair);
}

interface TagReading {
  value: unknown;
  quality: string;
}

function reading(node: NodeProcess, tag: string): Promise<TagReading> {
  return node.api<TagReading>('GET', `/api/tags/${tag}`).then((r) => r.body);
}

interface HistoryAnswer {
  kind: 'raw';
  samples: { ts: string; value: unknown; quality: string }[];
}

async function history(node: NodeProcess, tag: string): Promise<HistoryAnswer['samples']> {
  const from = new Date(Date.now() - 600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const answer = await node.api<HistoryAnswer>(
    'GET',
    `/api/history/${tag}?from=${from}&to=${to}&maxPoints=10000`,
  );
  expect(answer.status).toBe(200);
  return answer.body.samples;
}

describe('Acquisition: Modbus TCP and simulated tags on a real pair', () => {
  it('acquisition: the active node polls a Modbus register, replicates it, and writes to the device', async () => {
    const plc = await startPlc();
    const { master, backup } = await formedPair();
    const device = await master.api('PUT', '/api/config/devices/plc1', {
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      port: plc.port,
      pollRateMs: 100,
    });
    expect(device.status).toBe(200);
    expect(device.body).toMatchObject({ name: 'plc1', unitId: 1, timeoutMs: 1000 });
    plc.holding.writeUInt16BE(42, 3 * 2);
    const setpoint = { kind: 'modbus', device: 'plc1', register: 3, table: 'holding' };
    expect(
      (await master.api('PUT', '/api/config/tags/oven.setpoint', { dataType: 'int', source: setpoint }))
        .status,
    ).toBe(200);
    const flow = { kind: 'modbus', device: 'plc1', register: 0, table: 'input' };
    expect((await master.api('PUT', '/api/config/tags/flow', { dataType: 'int', source: flow })).status).toBe(
      200,
    );

    await until(async () => (await reading(master, 'oven.setpoint')).value === 42, 'master polled 42');
    expect(await reading(master, 'oven.setpoint')).toMatchObject({ value: 42, quality: 'good' });
    await until(async () => (await reading(backup, 'oven.setpoint')).value === 42, 'backup has 42');

    const write = await master.api('POST', '/api/tags/oven.setpoint/write', { value: 180, uid: 'w-180' });
    expect(write.body).toEqual({ ok: true, uid: 'w-180', executed: true });
    expect(plc.holding.readUInt16BE(3 * 2)).toBe(180);

    const readOnly = await master.api<{ error: { code: string } }>('POST', '/api/tags/flow/write', {
      value: 1,
    });
    expect(readOnly.status).toBe(409);
    expect(readOnly.body.error.code).toBe('READ_ONLY');
  });

  it('bad input: an unreachable Modbus device gives bad quality and an event, and the node keeps running', async () => {
    const plc = await startPlc();
    const { master } = await formedPair();
    await master.api('PUT', '/api/config/devices/plc1', {
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      port: plc.port,
      pollRateMs: 100,
      timeoutMs: 200,
    });
    const source = { kind: 'modbus', device: 'plc1', register: 1, table: 'holding' };
    await master.api('PUT', '/api/config/tags/pump', { dataType: 'int', source });
    await until(async () => (await reading(master, 'pump')).quality === 'good', 'pump read');

    await plc.down();
    await until(async () => (await reading(master, 'pump')).quality === 'bad', 'pump goes bad');
    await until(
      async () => (await master.events()).find((e) => e.kind === 'device-fault' && e.reason.includes('plc1')),
      'device-fault event',
    );
    const write = await master.api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/tags/pump/write',
      { value: 3, uid: 'w-down' },
    );
    expect(write.status).toBe(502);
    expect(write.body.error.code).toBe('DEVICE_FAULT');
    const repeat = await master.api('POST', '/api/tags/pump/write', { value: 3, uid: 'w-down' });
    expect(repeat.body).toMatchObject({ ok: false, executed: false });

    await plc.up();
    await until(async () => (await reading(master, 'pump')).quality === 'good', 'pump good again');
    await until(
      async () => (await master.events()).find((e) => e.kind === 'device-recovered'),
      'device-recovered event',
    );
    expect((await master.status())?.node.status).toBe('active');
  });

  it('bad input: a device definition with a bad field is refused with 400 naming it', async () => {
    const { master } = await formedPair();
    const answer = await master.api<{ error: { message: string } }>('PUT', '/api/config/devices/plc1', {
      protocol: 'modbus-tcp',
      host: '127.0.0.1',
      pollRateMs: 10,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('pollRateMs');
    expect((await master.api('GET', '/api/config/devices/plc1')).status).toBe(404);
  });
});

describe('History: samples per node, forwarded after fail-back', () => {
  it('history: samples the backup recorded while active reach the master after fail-back, once each', async () => {
    const { master, backup } = await formedPair(['--recovery', 'automatic']);
    const sine = { kind: 'simulator', waveform: 'sine', periodMs: 10_000 };
    await master.api('PUT', '/api/config/tags/sim.sine', { dataType: 'float', source: sine });
    await until(async () => (await history(master, 'sim.sine')).length >= 2, 'master records samples');

    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    const tookOverAt = Date.now();
    await until(
      async () =>
        (await history(backup, 'sim.sine')).filter((s) => Date.parse(s.ts) > tookOverAt).length >= 3,
      'backup records while active',
    );

    await master.start();
    await master.waitStatus((s) => s.node.status === 'active', 'master takes back');
    await backup.waitStatus((s) => s.node.status === 'standby', 'backup stands down');
    const recordedByBackup = (await history(backup, 'sim.sine')).filter((s) => Date.parse(s.ts) > tookOverAt);
    await until(async () => {
      const onMaster = new Set((await history(master, 'sim.sine')).map((s) => s.ts));
      return recordedByBackup.every((s) => onMaster.has(s.ts));
    }, "backup's samples on the master");
    const onMaster = (await history(master, 'sim.sine')).map((s) => s.ts);
    expect(new Set(onMaster).size).toBe(onMaster.length);
  });

  it("history: a memory tag's values are in its history on both nodes, without Sparkplug, and the backup's reach the master", async () => {
    const { master, backup } = await formedPair(['--recovery', 'automatic']);
    await master.api('PUT', '/api/config/tags/setpoint', { dataType: 'float', source: { kind: 'memory' } });
    for (const [i, value] of [10, 11].entries())
      expect((await master.api('POST', '/api/tags/setpoint/write', { value, uid: `m-${i}` })).status).toBe(
        200,
      );
    const values = async (node: NodeProcess): Promise<unknown[]> =>
      (await history(node, 'setpoint')).map((s) => s.value);
    await until(async () => (await values(backup)).length === 2, 'the standby records the replicated values');
    expect(await values(master)).toEqual([10, 11]);
    expect(await values(backup)).toEqual([10, 11]);

    // Set on the backup while it runs alone: forwarded to the master after fail-back, once.
    await master.kill('SIGKILL');
    await backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    expect((await backup.api('POST', '/api/tags/setpoint/write', { value: 12, uid: 'b-0' })).status).toBe(
      200,
    );
    await master.start();
    await master.waitStatus((s) => s.node.status === 'active', 'master takes back');
    await until(async () => (await values(master)).length === 3, "the backup's value on the master");
    expect(await values(master)).toEqual([10, 11, 12]);
  });

  it('history: a bad range is refused with 400 naming the field; an unknown tag is 404', async () => {
    const { master } = await formedPair();
    const bad = await master.api<{ error: { message: string } }>('GET', '/api/history/x?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('from');
    expect((await master.api('GET', '/api/history/no.such.tag')).status).toBe(404);
  });
});
