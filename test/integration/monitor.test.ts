/**
 * `tandem-node monitor` against a real pair (two `tandem-node` processes) and against addresses that fail in
 * each way docs/monitor.md lists: the fleet answers every pair, a bad one says why, the rest keep being watched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetPairView, FleetView } from '../../node-core/monitor/index.ts';
import { ANY_PORT, formPair, freePort, makePair, runCli, tempDir, waitFor, type Pair } from './harness.ts';
import { MonitorProcess, writeMonitorConfig } from './monitor-harness.ts';

let pair: Pair;
let monitor: MonitorProcess;
let nothingListens: number;
/** A token file that does not exist when the monitor starts (the node is installed later). */
let laterTokenFile: string;

beforeAll(async () => {
  pair = await formPair(await makePair(['--opcua-port', '0'], ['--opcua-port', '0']));
  // A port nothing listens on: chosen and released on purpose.
  nothingListens = await freePort();
  laterTokenFile = path.join(tempDir('monitor-token'), 'admin-token');
  const config = writeMonitorConfig([
    { name: 'line-1', site: 'North', nodes: [pair.master, pair.backup] },
    { name: 'line-1', nodes: [pair.master, pair.backup] },
    { name: 'wrong-token', nodes: [{ url: pair.master.url, token: 'not-the-token-at-all' }, pair.backup] },
    {
      name: 'token-later',
      nodes: [
        { url: pair.master.url, tokenFile: laterTokenFile },
        { url: pair.backup.url, tokenFile: laterTokenFile },
      ],
    },
    {
      name: 'nowhere',
      nodes: [
        { url: `http://127.0.0.1:${nothingListens}`, token: 'x' },
        { url: 'http://no-such-host.invalid:8088', token: 'x' },
      ],
    },
  ]);
  monitor = new MonitorProcess(config, ANY_PORT);
  await monitor.start();
});

afterAll(async () => {
  await monitor?.stop();
  await pair?.stop();
});

const byKey = (fleet: FleetView, key: string): FleetPairView => fleet.pairs.find((p) => p.key === key)!;

describe('Monitoring: a control-room PC watches many pairs', () => {
  it('GET /api/fleet needs the monitor token', async () => {
    const answer = await fetch(`${monitor.url}/api/fleet`);
    expect(answer.status).toBe(401);
  });

  it('a healthy pair, and a clear reason on each pair that cannot be watched, sorted by severity', async () => {
    const fleet = await monitor.waitFleet(
      (f) =>
        byKey(f, 'line-1').verdict === 'healthy' &&
        byKey(f, 'nowhere').verdict === 'down' &&
        byKey(f, 'wrong-token').nodes[0].reach === 'unauthorized',
      'the fleet read',
    );
    const line = byKey(fleet, 'line-1');
    expect(line).toMatchObject({
      name: 'line-1',
      site: 'North',
      verdict: 'healthy',
      licenseMatch: 'match',
      conflicts: 0,
    });
    expect(line.activeNode).toMatchObject({ index: 0, mode: 'master' });
    expect(line.nodes.map((n) => n.answering)).toEqual([true, true]);
    expect(line.nodes[0].via).toBe('live');
    expect(line.linkRttMs).not.toBeNull();

    expect(byKey(fleet, 'line-1#2')).toMatchObject({ verdict: 'unknown' });
    expect(byKey(fleet, 'line-1#2').headline).toMatch(
      /Not watched: pair name "line-1" is used by an earlier pair/,
    );

    const wrong = byKey(fleet, 'wrong-token');
    expect(wrong.nodes[0]).toMatchObject({ reach: 'unauthorized', answering: false });
    expect(wrong.nodes[0].problem).toMatch(/wrong credentials/);
    // Its backup answers and sees the master running: the pair runs, the monitor just cannot read one node.
    expect(wrong.verdict).toBe('degraded');

    const nowhere = byKey(fleet, 'nowhere');
    expect(nowhere.headline).toBe('Down: neither node answers');
    expect(nowhere.nodes[0].problem).toMatch(/connection refused/);
    expect(nowhere.nodes[1].problem).toMatch(/address not found/);

    expect(fleet.pairs.map((p) => p.verdict)).toEqual(['down', 'degraded', 'unknown', 'unknown', 'healthy']);
    // The log line follows the verdict: pino writes it asynchronously, so it may arrive after the fleet's answer.
    await waitFor(
      () => (/pair nowhere: Down: neither node answers/.test(monitor.output) ? true : undefined),
      10_000,
      'the log line of the pair that is down',
    );
    expect(monitor.output).toMatch(/pair line-1#2: Not watched/);
  });

  it('a token file that appears later is read at the next attempt: no restart of the monitor', async () => {
    const before = byKey(
      await monitor.waitFleet((f) => byKey(f, 'token-later').nodes[0].problem !== null, 'no token'),
      'token-later',
    );
    expect(before.verdict).toBe('unknown');
    expect(before.nodes[0].problem).toBe(`no token: ${laterTokenFile} cannot be read (ENOENT)`);
    // One file for both nodes: the backup then refuses it (the master's token), and the pair is read through the master.
    fs.writeFileSync(laterTokenFile, pair.master.token + '\n');
    const after = await monitor.waitFleet(
      (f) =>
        byKey(f, 'token-later').nodes[0].answering &&
        /wrong credentials/.test(byKey(f, 'token-later').nodes[1].problem ?? ''),
      'the token read',
      20_000,
    );
    expect(byKey(after, 'token-later').nodes[1].problem).toMatch(/wrong credentials/);
  });

  it('an edited config file is followed without a restart: a pair added is watched, a pair kept keeps what it knows, a pair removed goes; a malformed edit is logged and changes nothing', async () => {
    const config = writeMonitorConfig([{ name: 'line-1', nodes: [pair.master, pair.backup] }]);
    const edit = (pairs: Parameters<typeof writeMonitorConfig>[0]): void =>
      fs.copyFileSync(writeMonitorConfig(pairs), config);
    const edited = new MonitorProcess(config, ANY_PORT);
    await edited.start();
    try {
      await edited.waitFleet((f) => f.pairs[0]?.verdict === 'healthy', 'line-1 healthy');

      edit([
        { name: 'line-1', nodes: [pair.master, pair.backup] },
        { name: 'line-2', site: 'South', nodes: [pair.master, pair.backup] },
      ]);
      const added = await edited.waitFleet((f) => f.pairs.length === 2, 'line-2 added');
      // The first view with line-2 already has line-1 as it was: its readers were kept, not started over.
      expect(byKey(added, 'line-1').verdict).toBe('healthy');
      await edited.waitFleet((f) => byKey(f, 'line-2').verdict === 'healthy', 'line-2 healthy');

      edit([{ name: 'line-2', site: 'South', nodes: [pair.master, pair.backup] }]);
      const removed = await edited.waitFleet((f) => f.pairs.length === 1, 'line-1 removed');
      expect(removed.pairs.map((p) => [p.key, p.verdict])).toEqual([['line-2', 'healthy']]);
      await waitFor(
        () => (/monitor config changed: watching 1 pair/.test(edited.output) ? true : undefined),
        5000,
        'the change in the log',
      );

      fs.writeFileSync(config, '{"pairs":[{"name":"line-3"}]}');
      await waitFor(
        () =>
          /monitor config changed but is not used: --config [^ ]+: pairs\.0\.nodes: [^;]+; the pairs it named before stay watched/.test(
            edited.output,
          )
            ? true
            : undefined,
        5000,
        'the malformed edit in the log',
      );
      expect((await edited.fleet()).pairs.map((p) => p.key)).toEqual(['line-2']);
    } finally {
      await edited.stop();
    }
  });

  it('kill -9 of the master: the pair shows failed over, the reason and the duration of the failover', async () => {
    await pair.master.kill('SIGKILL');
    const fleet = await monitor.waitFleet((f) => byKey(f, 'line-1').verdict === 'failed-over', 'failed over');
    const line = byKey(fleet, 'line-1');
    expect(line.headline).toBe('Failed over: the backup runs the plant');
    expect(line.activeNode).toMatchObject({ index: 1, mode: 'backup' });
    expect(line.nodes[0]).toMatchObject({
      answering: false,
      reach: 'unreachable',
      stale: true,
      status: 'active',
    });
    await monitor.waitFleet((f) => byKey(f, 'line-1').lastFailover !== null, 'the failover event');
    const again = byKey(await monitor.fleet(), 'line-1');
    expect(again.lastFailover).toMatchObject({ reason: 'missed heartbeats', node: 'backup' });
    expect(again.lastFailover!.durationMs).toBeGreaterThan(0);
  });
});

describe('Monitoring: bad input', () => {
  it('a malformed config file: one line naming the field, exit 2', () => {
    const dir = tempDir('monitor-bad');
    const file = path.join(dir, 'fleet.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        pairs: [
          {
            name: 'line-1',
            nodes: [
              { url: 'ftp://x', token: 't' },
              { url: 'http://a:1', token: 't' },
            ],
          },
        ],
      }),
    );
    const result = runCli(['monitor', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `tandem-node: --config ${file}: pairs.0.nodes.0.url: must be an http:// or https:// address`,
    );
  });

  it('no --config: exit 2; the port taken: one line, exit 1', () => {
    const none = runCli(['monitor']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('tandem-node: monitor needs --config FILE (the pairs to watch)');
    const taken = runCli(['monitor', '--config', monitor.config, '--api-port', String(monitor.port)]);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim().split('\n').at(-1)).toBe(
      `tandem-node: monitor port ${monitor.port} is already in use`,
    );
  });
});
