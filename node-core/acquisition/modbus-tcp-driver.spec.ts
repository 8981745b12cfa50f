/** The Modbus TCP driver against a real Modbus TCP server in this process, on 127.0.0.1 and port 0. */
import net from 'node:net';
import { ModbusTCPServer } from 'jsmodbus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../clock/index.ts';
import { AcquisitionEngine } from './acquisition-engine.ts';
import type { PolledValue } from './driver.ts';
import type { DeviceDefinition, ModbusSource, ModbusTable } from './device-definition.ts';
import { AcquisitionError, type DataType, type DriverTag } from './driver.ts';
import { ModbusTcpDriver } from './modbus-tcp-driver.ts';

interface TestServer {
  readonly port: number;
  readonly holding: Buffer;
  readonly input: Buffer;
  readonly coils: Buffer;
  readonly discrete: Buffer;
  readonly requests: string[];
  /** Stops listening and cuts every connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: net.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

async function startServer(): Promise<TestServer> {
  const net_ = net.createServer();
  const sockets = new Set<net.Socket>();
  net_.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const buffers = {
    holding: Buffer.alloc(200), // 100 registers
    input: Buffer.alloc(200),
    coils: Buffer.alloc(16), // 128 bits
    discrete: Buffer.alloc(16),
  };
  const modbus = new ModbusTCPServer(net_, buffers);
  const requests: string[] = [];
  for (const fc of ['ReadHoldingRegisters', 'ReadInputRegisters', 'ReadCoils', 'ReadDiscreteInputs']) {
    modbus.on(`pre${fc}` as 'preReadCoils', (request: unknown) => {
      const body = (request as { body: { start: number; count: number } }).body;
      requests.push(`${fc} ${body.start}+${body.count}`);
    });
  }
  const port = await listen(net_, 0);
  const down = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (net_.listening) await new Promise<void>((resolve) => net_.close(() => resolve()));
  };
  cleanups.push(down);
  return {
    port,
    ...buffers,
    requests,
    down,
    up: async () => {
      await listen(net_, port);
    },
  };
}

/** A server that accepts connections and never answers. */
async function startSilentServer(): Promise<number> {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  const port = await listen(server, 0);
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return port;
}

/** A port where nothing listens (taken, then given back). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, 0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function device(port: number, timeoutMs = 500): DeviceDefinition {
  return { protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, pollRateMs: 100, timeoutMs };
}

function tag(
  name: string,
  table: ModbusTable,
  register: number,
  dataType: DataType = 'float',
  scale?: number,
): DriverTag<ModbusSource> {
  return {
    name,
    dataType,
    source: { kind: 'modbus', device: 'plc', table, register, ...(scale === undefined ? {} : { scale }) },
  };
}

function makeDriver(port: number, timeoutMs = 500): { driver: ModbusTcpDriver; faults: (string | null)[] } {
  const faults: (string | null)[] = [];
  const driver = new ModbusTcpDriver(device(port, timeoutMs), {
    clock: systemClock,
    fault: (reason) => faults.push(reason),
  });
  cleanups.push(() => driver.close());
  return { driver, faults };
}

describe('Modbus TCP driver: reading', () => {
  it('reads all four tables, applies scale and data type, in one request per run of addresses', async () => {
    const server = await startServer();
    server.holding.writeUInt16BE(1234, 0 * 2);
    server.holding.writeUInt16BE(7, 3 * 2);
    server.holding.writeUInt16BE(1, 5 * 2);
    server.input.writeUInt16BE(4321, 10 * 2);
    server.coils[0] = 0b0000_0101; // coils 0 and 2
    server.discrete[1] = 0b0000_0001; // discrete input 8
    const { driver, faults } = makeDriver(server.port);
    const values = await driver.read([
      tag('temp', 'holding', 0, 'float', 0.1),
      tag('count', 'holding', 3, 'int'),
      tag('flag', 'holding', 5, 'bool'),
      tag('text', 'holding', 3, 'string', 2),
      tag('flow', 'input', 10, 'float', 0.01),
      tag('pump', 'coil', 0, 'bool'),
      tag('valve', 'coil', 1, 'bool'),
      tag('motor', 'coil', 2, 'int'),
      tag('door', 'discrete', 8, 'bool'),
    ]);
    expect(values.map((v) => [v.name, v.value, v.quality])).toEqual([
      ['temp', expect.closeTo(123.4) as number, 'good'],
      ['count', 7, 'good'],
      ['flag', true, 'good'],
      ['text', '14', 'good'],
      ['flow', expect.closeTo(43.21) as number, 'good'],
      ['pump', true, 'good'],
      ['valve', false, 'good'],
      ['motor', 1, 'good'],
      ['door', true, 'good'],
    ]);
    expect(server.requests).toEqual([
      'ReadHoldingRegisters 0+6',
      'ReadInputRegisters 10+1',
      'ReadCoils 0+3',
      'ReadDiscreteInputs 8+1',
    ]);
    expect(new Set(values.map((v) => v.ts)).size).toBe(1);
    expect(faults).toEqual([]);

    server.holding.writeUInt16BE(1500, 0);
    const [again] = await driver.read([tag('temp', 'holding', 0, 'float', 0.1)]);
    expect(again?.value).toBeCloseTo(150);
  });

  it('an address the device does not serve makes that tag bad, not its neighbours', async () => {
    const server = await startServer();
    server.holding.writeUInt16BE(95, 95 * 2);
    const { driver, faults } = makeDriver(server.port);
    const values = await driver.read([tag('inside', 'holding', 95), tag('outside', 'holding', 105)]);
    expect(values.map((v) => [v.name, v.value, v.quality])).toEqual([
      ['inside', 95, 'good'],
      ['outside', null, 'bad'],
    ]);
    expect(faults).toEqual([]);
  });

  it('an unreachable device gives every tag quality bad and one fault, then recovers on a later poll', async () => {
    const server = await startServer();
    server.holding.writeUInt16BE(42, 0);
    const { driver, faults } = makeDriver(server.port);
    const tags = [tag('a', 'holding', 0), tag('b', 'coil', 0, 'bool')];
    expect((await driver.read(tags)).map((v) => v.quality)).toEqual(['good', 'good']);

    await server.down();
    for (let i = 0; i < 3; i++) {
      const values = await driver.read(tags);
      expect(values.map((v) => [v.value, v.quality])).toEqual([
        [null, 'bad'],
        [null, 'bad'],
      ]);
    }
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/127\.0\.0\.1/);
    expect(driver.fault).toBe(faults[0]);

    await server.up();
    const back = await driver.read(tags);
    expect(back.map((v) => [v.value, v.quality])).toEqual([
      [42, 'good'],
      [false, 'good'],
    ]);
    expect(faults).toEqual([faults[0], null]);
    expect(driver.fault).toBeNull();
  });

  it('a connection refused is a fault at once, never a rejection', async () => {
    const { driver, faults } = makeDriver(await freePort());
    const values = await driver.read([tag('a', 'holding', 0)]);
    expect(values).toMatchObject([{ name: 'a', value: null, quality: 'bad' }]);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/cannot connect to 127\.0\.0\.1:\d+/);
  });

  it('a device that does not answer within its timeout is faulted once, and its tags are bad', async () => {
    const port = await startSilentServer();
    const { driver, faults } = makeDriver(port, 80);
    const started = Date.now();
    const first = await driver.read([tag('a', 'holding', 0), tag('b', 'input', 0)]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first.map((v) => v.quality)).toEqual(['bad', 'bad']);
    await driver.read([tag('a', 'holding', 0)]);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/no answer from 127\.0\.0\.1:\d+ within 80 ms/);
  });

  it('after close it reads nothing and reports nothing; close is idempotent', async () => {
    const server = await startServer();
    const { driver, faults } = makeDriver(server.port);
    await driver.close();
    await driver.close();
    expect(await driver.read([tag('a', 'holding', 0)])).toMatchObject([{ quality: 'bad' }]);
    expect(server.requests).toEqual([]);
    expect(faults).toEqual([]);
    await expect(driver.write(tag('a', 'holding', 0), 1)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('Modbus TCP driver: writing', () => {
  it('writes holding registers (scaled back) and coils', async () => {
    const server = await startServer();
    const { driver } = makeDriver(server.port);
    await driver.write(tag('sp', 'holding', 4, 'float', 0.1), 12.5);
    expect(server.holding.readUInt16BE(4 * 2)).toBe(125);
    await driver.write(tag('pump', 'coil', 9, 'bool'), true);
    expect((server.coils[1]! >> 1) & 1).toBe(1);
    await driver.write(tag('pump', 'coil', 9, 'bool'), false);
    expect((server.coils[1]! >> 1) & 1).toBe(0);
    const [read] = await driver.read([tag('sp', 'holding', 4, 'float', 0.1)]);
    expect(read?.value).toBeCloseTo(12.5);
  });

  it('refuses what cannot be written, naming why', async () => {
    const server = await startServer();
    const { driver } = makeDriver(server.port);
    await expect(driver.write(tag('in', 'input', 0), 1)).rejects.toMatchObject({ code: 'NOT_WRITABLE' });
    await expect(driver.write(tag('di', 'discrete', 0, 'bool'), true)).rejects.toMatchObject({
      code: 'NOT_WRITABLE',
    });
    await expect(driver.write(tag('h', 'holding', 0), 70_000)).rejects.toMatchObject({
      code: 'OUT_OF_RANGE',
    });
    await expect(driver.write(tag('h', 'holding', 0), -1)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    await expect(driver.write(tag('h', 'holding', 0), 'abc')).rejects.toBeInstanceOf(AcquisitionError);
    expect(server.holding.readUInt16BE(0)).toBe(0);
  });

  it('a write to an unreachable device rejects with DEVICE_FAULT and faults the device once', async () => {
    const { driver, faults } = makeDriver(await freePort());
    await expect(driver.write(tag('h', 'holding', 0), 1)).rejects.toMatchObject({ code: 'DEVICE_FAULT' });
    await driver.read([tag('h', 'holding', 0)]);
    expect(faults).toHaveLength(1);
  });
});

describe('Modbus TCP through the acquisition engine', () => {
  it('the active node polls a real device, publishes its values and writes a tag to it', async () => {
    const server = await startServer();
    server.holding.writeUInt16BE(215, 2 * 2);
    const clock = new ManualClock(0);
    const published: PolledValue[] = [];
    const faults: [string, string | null][] = [];
    const engine = new AcquisitionEngine({
      clock,
      tags: () => [
        {
          name: 'temp',
          definition: { dataType: 'float', source: tag('temp', 'holding', 2, 'float', 0.1).source },
        },
        {
          name: 'setpoint',
          definition: { dataType: 'int', source: tag('setpoint', 'holding', 3, 'int').source },
        },
      ],
      devices: () => [
        {
          key: 'plc',
          definition: { protocol: 'modbus-tcp', host: '127.0.0.1', port: server.port, pollRateMs: 100 },
        },
      ],
      role: () => 'active',
      publish: (values) => published.push(...values),
      buffer: () => undefined,
      deviceFault: (device, reason) => faults.push([device, reason]),
    });
    cleanups.push(() => engine.stop());
    engine.start();
    clock.advance(0);
    await vi.waitFor(() => expect(published.find((v) => v.name === 'temp')?.value).toBeCloseTo(21.5));
    await engine.writeTag('setpoint', 60);
    expect(server.holding.readUInt16BE(3 * 2)).toBe(60);
    clock.advance(100);
    await vi.waitFor(() => expect(published.filter((v) => v.name === 'setpoint').at(-1)?.value).toBe(60));
    expect(faults).toEqual([]);
  });
});
