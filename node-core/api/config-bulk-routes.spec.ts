/**
 * `POST /api/config/{tags,devices,alarm-rules}` (many items at once, the dashboard's CSV import) on a real
 * config store (SQLite) behind a stand-in node: every item is checked first, and one bad item means none is
 * written. Replication of config writes itself: test/integration/data.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore, type ConfigKind } from '../data/index.ts';
import type { DataCommands } from '../node/ports.ts';
import { MetaStore, openDatabase, type Db } from '../store/index.ts';
import { registerDataRoutes, type DataRoutePorts } from './data-routes.ts';
import { errorAnswer } from './error-answer.ts';

interface Refusal {
  error: { code: string; message: string; items: { index: number; name: string | null; message: string }[] };
}

/** Commands this spec does not expect: each fails its request. */
const refusingCommands: DataCommands = {
  writeTag: () => Promise.reject(new Error('not expected here')),
  ackAlarm: () => Promise.reject(new Error('not expected here')),
  putConfig: () => Promise.reject(new Error('not expected here')),
  putConfigAll: () => Promise.reject(new Error('not expected here')),
  deleteConfig: () => Promise.reject(new Error('not expected here')),
  reapplyConflict: () => Promise.reject(new Error('not expected here')),
  discardConflict: () => undefined,
};

describe('config in bulk', () => {
  let dir = '';
  let db: Db;
  let config: ConfigStore;
  let app: FastifyInstance;
  let status: 'active' | 'standby' = 'active';
  let seq = 0;

  beforeEach(async () => {
    status = 'active';
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-config-bulk-'));
    db = openDatabase(dir);
    config = new ConfigStore(db, new MetaStore(db));
    const ports: DataRoutePorts = {
      status: {
        get status() {
          return status;
        },
        activePeerApiUrl: () => 'http://10.0.0.12:8088',
      },
      data: {
        readTag: () => undefined,
        currentValues: () => [],
        configItems: (kind) => config.list(kind),
        configItem: (kind, key) => config.get(kind, key),
        tagDefinition: (name) => config.getTag(name),
        alarms: () => [],
        conflicts: () => config.conflicts.list(),
        watchConfig: (listener) => config.watch(listener),
      },
      commands: {
        ...refusingCommands,
        putConfig: (kind: ConfigKind, key: string, definition: unknown) =>
          Promise.resolve(void config.commitLocal('put', kind, key, definition, 1, 'node-a', ++seq)),
        putConfigAll: (kind: ConfigKind, items: readonly { key: string; definition: unknown }[]) =>
          Promise.resolve(
            void items.map((i) => config.commitLocal('put', kind, i.key, i.definition, 1, 'node-a', ++seq)),
          ),
      },
    };
    app = Fastify();
    app.setErrorHandler((error: Error, _request, reply) => {
      const answer = errorAnswer(error);
      return reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
    });
    registerDataRoutes(app, ports);
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (route: string, items: unknown[]) =>
    app.inject({ method: 'POST', url: `/api/config/${route}`, payload: { items } });
  const tagNames = (): string[] => config.list('tag').map((t) => t.key);

  const GOOD_TAGS = [
    { name: 'boiler.temp', dataType: 'float', source: { kind: 'memory' }, unit: '°C', precision: 1 },
    {
      name: 'line1/pump.speed',
      dataType: 'int',
      source: { kind: 'modbus', device: 'plc-1', register: 4, table: 'holding' },
    },
    { name: 'sim.wave', dataType: 'float', source: { kind: 'simulator', waveform: 'sine', periodMs: 1000 } },
  ];

  it('a bulk write of valid items writes every one of them', async () => {
    const answer = await post('tags', GOOD_TAGS);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ written: 3 });
    expect(tagNames().sort()).toEqual(['boiler.temp', 'line1/pump.speed', 'sim.wave']);
    const listed = await app.inject({ method: 'GET', url: '/api/config/tags/boiler.temp' });
    expect(listed.json()).toEqual({ ...GOOD_TAGS[0], name: 'boiler.temp' });
  });

  it("a CSV import of 10,000 tags (a body past the API's usual 1 MiB) is taken; one past 8 MiB is refused as too large", async () => {
    const description = 'Pump station north, discharge header pressure transmitter, loop PT-1042 (4-20 mA)';
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      name: `station.n${i}.pressure`,
      dataType: 'float',
      source: { kind: 'memory' },
      unit: 'bar',
      precision: 2,
      description,
    }));
    expect(JSON.stringify({ items: many }).length).toBeGreaterThan(1024 * 1024);
    const answer = await post('tags', many);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ written: 10_000 });

    const huge = many.slice(0, 9000).map((t) => ({ ...t, description: 'x'.repeat(1000) }));
    const tooLarge = await post('tags', huge);
    expect(tooLarge.statusCode).toBe(413);
    expect(config.list('tag')).toHaveLength(10_000);
  });

  it('a bulk write with a bad item writes nothing and names each bad item by its place, with its PUT message', async () => {
    const badPrecision = { name: 'flow', dataType: 'float', source: { kind: 'memory' }, precision: 11 };
    const badRegister = {
      name: 'valve',
      dataType: 'int',
      source: { kind: 'modbus', device: 'plc-1', register: 70000, table: 'holding' },
    };
    const answer = await post('tags', [GOOD_TAGS[0], badPrecision, GOOD_TAGS[1], badRegister]);
    expect(answer.statusCode).toBe(400);
    const refusal = answer.json<Refusal>();
    expect(refusal.error.code).toBe('BAD_REQUEST');
    expect(refusal.error.message).toMatch(
      /^nothing was written: 2 of the tags are not valid; item 1: precision: /,
    );
    expect(refusal.error.items.map((i) => [i.index, i.name])).toEqual([
      [1, 'flow'],
      [3, 'valve'],
    ]);
    expect(refusal.error.items[1]!.message).toBe('source.register: must be 0–65535');
    // The same words a PUT of that item alone gets.
    const alone = await app.inject({
      method: 'PUT',
      url: '/api/config/tags/valve',
      payload: { dataType: badRegister.dataType, source: badRegister.source },
    });
    expect(alone.json<Refusal>().error.message).toBe(refusal.error.items[1]!.message);
    expect(tagNames()).toEqual([]);
  });

  it('a bulk write refuses a bad name and a name given twice, and writes nothing', async () => {
    const answer = await post('tags', [
      GOOD_TAGS[0],
      { ...GOOD_TAGS[2], name: 'a/../b' },
      { ...GOOD_TAGS[2], name: 'boiler.temp' },
    ]);
    expect(answer.statusCode).toBe(400);
    const [badName, twice] = answer.json<Refusal>().error.items;
    expect(badName).toMatchObject({ index: 1, name: 'a/../b' });
    expect(badName!.message).toMatch(/^name: no part of a name may be "\." or "\.\."/);
    expect(twice).toEqual({
      index: 2,
      name: 'boiler.temp',
      message: 'name: "boiler.temp" is item 0 too; each name once',
    });
    expect(tagNames()).toEqual([]);
  });

  it('devices and alarm rules are written in bulk too, checked by their own rules', async () => {
    const devices = await post('devices', [
      { name: 'plc-1', protocol: 'modbus-tcp', host: '10.0.0.5', pollRateMs: 500 },
      { name: 'plc-2', protocol: 'modbus-tcp', host: '10.0.0.6', pollRateMs: 10 },
    ]);
    expect(devices.json<Refusal>().error.items).toEqual([
      { index: 1, name: 'plc-2', message: 'pollRateMs: must be at least 50 ms' },
    ]);
    const rules = await post('alarm-rules', [
      { name: 'hot', tag: 'boiler.temp', condition: 'high', threshold: 90 },
    ]);
    expect(rules.statusCode).toBe(200);
    expect(config.list('alarm-rule').map((r) => r.key)).toEqual(['hot']);
    expect(config.list('device')).toEqual([]);
  });

  it('a bulk write without items, or with something else than a list, is refused naming the field', async () => {
    const empty = await post('tags', []);
    expect(empty.statusCode).toBe(400);
    expect(empty.json<Refusal>().error.message).toBe('items: must hold at least one item');
    const wrong = await app.inject({ method: 'POST', url: '/api/config/tags', payload: { items: 'x' } });
    expect(wrong.json<Refusal>().error.message).toBe(
      'items: must be a list of items, each { name, …definition }',
    );
  });

  it('a standby answers a bulk write with 307 to the active node and writes nothing', async () => {
    status = 'standby';
    const answer = await post('tags', GOOD_TAGS);
    expect(answer.statusCode).toBe(307);
    expect(answer.headers['location']).toBe('http://10.0.0.12:8088/api/config/tags');
    expect(tagNames()).toEqual([]);
  });
});
