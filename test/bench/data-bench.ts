/**
 * Replication figures for `npm run bench`: two real nodes in one process (real TLS peer link, real SQLite
 * files), driven through node-core directly so the HTTP layer does not hide the replication cost. The raw
 * `ws` round trip and plain SQLite insert rate are printed beside them as the ceilings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket, { WebSocketServer } from 'ws';
import { createNode, type RunningNode } from '../../node-core/index.ts';
import { silentLogger } from '../../node-core/logging.ts';
import { loadOrCreateIdentity } from '../../node-core/trust/index.ts';

const timing = { pingRateMs: 200, pingTimeoutMs: 1000, missedPings: 3, failoverTimeMs: 3000, connectionWaitMs: 1000 };

function dir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tandem-bench-${label}-`));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function pair(): Promise<{ master: RunningNode; backup: RunningNode; stop: () => Promise<void> }> {
  const masterDir = dir('m');
  const backupDir = dir('b');
  const mId = await loadOrCreateIdentity(masterDir, 'bench master');
  const bId = await loadOrCreateIdentity(backupDir, 'bench backup');
  const master = await createNode(
    { dataDir: masterDir, settings: { name: 'bench', mode: 'master', apiPort: 0, peerPort: 0, peerHost: '127.0.0.1', timing }, trustPeers: [bId.info.fingerprint] },
    { logger: silentLogger },
  );
  const backup = await createNode(
    {
      dataDir: backupDir,
      settings: { name: 'bench', mode: 'backup', apiPort: 0, peerPort: 0, masterHost: '127.0.0.1', masterPort: master.node.peerPort!, timing },
      trustPeers: [mId.info.fingerprint],
    },
    { logger: silentLogger },
  );
  for (let i = 0; i < 200 && !(master.node.status === 'active' && backup.node.statusView().peer?.link === 'connected' && backup.node.status === 'standby'); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { master, backup, stop: async () => { await backup.stop(); await master.stop(); } };
}

export async function dataBench(): Promise<[string, string, string][]> {
  const rows: [string, string, string][] = [];
  const { master, backup, stop } = await pair();
  try {
    // Config changes, each acknowledged only after the standby stored it; 32 callers at once.
    const total = 5000;
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const i = next++;
          const t = performance.now();
          await master.node.data.putConfig('tag', `bench.${i}`, { dataType: 'float', source: { kind: 'memory' } });
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    rows.push([`config changes with standby ack (${total}, 32 callers)`, `${(total / seconds).toFixed(0)}/s, p99 ${percentile(latencies, 99).toFixed(1)} ms`, 'target: ≥ 5,000/s, p99 < 10 ms']);

    // Runtime values published by the active node and replicated; lag measured on the standby.
    const updates = 50_000;
    const batch = 500;
    const tStart = performance.now();
    for (let i = 0; i < updates; i += batch) {
      const now = Date.now();
      master.node.data.publishPolled(Array.from({ length: batch }, (_, k) => ({ name: `bench.${(i + k) % total}`, value: i + k, quality: 'good' as const, ts: now })));
      if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
    }
    const lastName = `bench.${(updates - 1) % total}`;
    while (backup.node.data.runtime.get(lastName)?.value !== updates - 1) await new Promise((r) => setTimeout(r, 1));
    const runtimeSeconds = (performance.now() - tStart) / 1000;
    rows.push([`runtime values replicated (${updates} in batches of ${batch})`, `${(updates / runtimeSeconds).toFixed(0)}/s`, 'target: ≥ 50,000/s']);
  } finally {
    await stop();
  }
  rows.push(await snapshotBench());
  rows.push(...(await rawCeilings()));
  return rows;
}

async function snapshotBench(): Promise<[string, string, string]> {
  // A master with 100,000 tags; an empty backup joins and must receive the full snapshot.
  const masterDir = dir('snap-m');
  const backupDir = dir('snap-b');
  const mId = await loadOrCreateIdentity(masterDir, 'snap master');
  const bId = await loadOrCreateIdentity(backupDir, 'snap backup');
  const master = await createNode(
    { dataDir: masterDir, settings: { name: 'snap', mode: 'master', apiPort: 0, peerPort: 0, peerHost: '127.0.0.1', timing: { ...timing, connectionWaitMs: 0 } }, trustPeers: [bId.info.fingerprint] },
    { logger: silentLogger },
  );
  while (master.node.status !== 'active') await new Promise((r) => setTimeout(r, 20));
  const tags = 100_000;
  for (let i = 0; i < tags; i++) master.node.data.config.commitLocal('put', 'tag', `t.${i}`, { dataType: 'float', source: { kind: 'memory' } }, 1, 'bench', Date.now());
  const t = performance.now();
  const backup = await createNode(
    { dataDir: backupDir, settings: { name: 'snap', mode: 'backup', apiPort: 0, peerPort: 0, masterHost: '127.0.0.1', masterPort: master.node.peerPort!, timing }, trustPeers: [mId.info.fingerprint] },
    { logger: silentLogger },
  );
  while (backup.node.data.config.head().seq < tags) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t;
  await backup.stop();
  await master.stop();
  return [`full snapshot of ${tags} tags to an empty standby`, `${(ms / 1000).toFixed(2)} s (incl. backup start)`, 'target: < 5 s'];
}

async function rawCeilings(): Promise<[string, string, string][]> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once('open', r));
  const rtts: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send('x'.repeat(100));
    });
    rtts.push(performance.now() - t);
  }
  let received = 0;
  const count = 100_000;
  const t = performance.now();
  await new Promise<void>((resolve) => {
    ws.on('message', () => {
      if (++received === count) resolve();
    });
    for (let i = 0; i < count; i++) ws.send('y'.repeat(100));
  });
  const throughput = count / ((performance.now() - t) / 1000);
  ws.close();
  wss.close();

  const db = new Database(path.join(dir('sqlite'), 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  const tx = db.transaction((i: number) => insert.run(`k${i}`, 'value'));
  const n = 20_000;
  const s = performance.now();
  for (let i = 0; i < n; i++) tx(i);
  const rate = n / ((performance.now() - s) / 1000);
  db.close();
  return [
    ['raw ws round trip, 100 B (plain, no TLS)', `p50 ${percentile(rtts, 50).toFixed(3)} ms, p99 ${percentile(rtts, 99).toFixed(3)} ms`, 'ceiling'],
    ['raw ws echo throughput, 100 B', `${throughput.toFixed(0)} msg/s`, 'ceiling'],
    ['SQLite insert, one transaction each (WAL, NORMAL)', `${rate.toFixed(0)}/s`, 'ceiling'],
  ];
}
