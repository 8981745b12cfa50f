/**
 * PostgreSQL synchronous replication, measured in the same run and on the same machine as Tandem's config
 * changes (issue 14: the bench compares the two instead of holding config p99 to an absolute figure). A
 * primary (initdb) and a standby (pg_basebackup) on 127.0.0.1, in a temporary folder of the bench's own;
 * the primary answers a commit once the standby has written and flushed its WAL (synchronous_commit = on,
 * synchronous_standby_names = the standby), as Tandem answers once the standby stored and synced a change.
 * pgbench then runs single-row upserts of random keys from as many clients as Tandem's config row has
 * callers, for a bounded time; p50 and p99 come from pgbench's per-transaction log.
 *
 * Both clusters are stopped and the folder removed at the end, also when a step fails or the bench is
 * interrupted (pg_ctl starts the server in a session of its own, so Ctrl-C does not reach it). Where
 * PostgreSQL is not installed the result says so and how to install it; nothing here throws.
 *
 * Alone: `node test/bench/pg-sync-replication.ts`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../integration/harness.ts';

const PG_SECONDS = 10;
/** Keys drawn from 1..PG_KEYS: nearly every change a new row, as Tandem's config row makes new tags. */
const PG_KEYS = 1_000_000;
/** Bounds on the steps around the measurement: the whole PostgreSQL part stays under ~40 s when it works. */
const STEP_TIMEOUT_MS = 60_000;
const SYNC_WAIT_MS = 15_000;
const STANDBY = 'standby';
const INSTALL_NOTE =
  'PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin); to compare: apt-get install postgresql';

const SCRIPT = [
  `\\set k random(1, ${PG_KEYS})`,
  '\\set v random(1, 1000000000)',
  'INSERT INTO kv(k, v) VALUES (:k, :v) ON CONFLICT (k) DO UPDATE SET v = excluded.v;',
  '',
].join('\n');

export const pgBenchSettings = (clients: number): string =>
  `PostgreSQL: primary + synchronous standby on 127.0.0.1 (synchronous_commit = on, fsync on, defaults otherwise), ` +
  `pgbench -M prepared, ${clients} clients, ${PG_SECONDS} s of single-row upserts of random keys 1..${PG_KEYS}`;

export interface PgFigures {
  readonly version: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly transactions: number;
  readonly failed: number;
  /** The standby, once it replayed everything, holds the same rows as the primary. */
  readonly standbySame: boolean;
  /** The whole PostgreSQL part: set-up, measurement, tear-down. */
  readonly totalSeconds: number;
}

export type PgOutcome =
  | { readonly ran: true; readonly figures: PgFigures }
  | { readonly ran: false; readonly installed: boolean; readonly note: string };

/** The newest PostgreSQL under /usr/lib/postgresql/<version>/bin with every program the bench runs. */
function findBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const needed = ['initdb', 'pg_ctl', 'pg_basebackup', 'pgbench', 'psql'];
  const versions = fs.existsSync(root) ? fs.readdirSync(root) : [];
  return versions
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => needed.every((p) => fs.existsSync(path.join(bin, p))));
}

class Step extends Error {
  override readonly name = 'Step';
}

function run(command: string, args: readonly string[], timeout = STEP_TIMEOUT_MS): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout });
  if (result.status === 0) return result.stdout;
  // PostgreSQL's programs follow an error with hint: and detail: lines; the error is the line to show.
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => line !== '' && !/\b(hint|detail):/i.test(line));
  const why =
    lines.find((line) => /error|fatal/i.test(line)) ||
    lines[0] ||
    result.error?.message ||
    (result.signal ? `killed by ${result.signal}` : `exit ${result.status}`);
  const program = command === 'runuser' ? (args[3] ?? command) : command;
  throw new Step(`${path.basename(program)}: ${why}`);
}

/**
 * One run of the comparison. Blocks the event loop while a step runs (spawnSync): call it when nothing else
 * in the process is being measured.
 */
export async function pgSyncReplication(clients: number): Promise<PgOutcome> {
  const bin = findBin();
  if (bin === undefined) return { ran: false, installed: false, note: INSTALL_NOTE };
  const started = performance.now();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-pg-'));
  const clusters = { primary: path.join(folder, 'primary'), standby: path.join(folder, 'standby') };
  // postgres, initdb and pg_ctl refuse to run as root: as root the clusters belong to the postgres user.
  const asRoot = process.getuid?.() === 0;
  const server = (program: string, args: readonly string[], timeout?: number): string =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args], timeout)
      : run(path.join(bin, program), args, timeout);

  let cleaned = false;
  const cleanUp = (): void => {
    if (cleaned) return;
    cleaned = true;
    for (const data of [clusters.standby, clusters.primary]) {
      if (!fs.existsSync(path.join(data, 'postmaster.pid'))) continue;
      try {
        server('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], 20_000);
      } catch {
        // Removed below all the same; a server left running shows in the note of the next run's failure.
      }
    }
    fs.rmSync(folder, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.once(s, onSignal);

  try {
    if (asRoot) run('chown', ['postgres:postgres', folder]);
    const version = run(path.join(bin, 'pg_ctl'), ['--version'])
      .trim()
      .replace(/^pg_ctl \(PostgreSQL\) /, '');
    const [primaryPort, standbyPort] = [await freePort(), await freePort()];
    const sql = (port: number, query: string): string =>
      run(path.join(bin, 'psql'), [
        ...['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'],
        ...['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', query],
      ]).trim();
    const start = (data: string, port: number): void => {
      // Settings on the command line: nothing written into the data folders as another user.
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${folder} -c synchronous_commit=on`;
      server('pg_ctl', ['-D', data, '-l', `${data}.log`, '-o', options, '-w', '-t', '30', 'start']);
    };

    server('initdb', ['-D', clusters.primary, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    start(clusters.primary, primaryPort);
    // Made before any standby is named: with one named and none connected, this commit would wait.
    sql(primaryPort, 'CREATE TABLE kv (k integer PRIMARY KEY, v text NOT NULL)');
    server('pg_basebackup', [
      ...['-d', `host=127.0.0.1 port=${primaryPort} user=postgres application_name=${STANDBY}`],
      ...['-D', clusters.standby, '-X', 'stream', '-c', 'fast', '-R', '--no-sync'],
    ]);
    start(clusters.standby, standbyPort);
    sql(primaryPort, `ALTER SYSTEM SET synchronous_standby_names = '${STANDBY}'`);
    sql(primaryPort, 'SELECT pg_reload_conf()');
    const syncQuery = `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${STANDBY}'`;
    const until = performance.now() + SYNC_WAIT_MS;
    while (sql(primaryPort, syncQuery) !== 'sync') {
      if (performance.now() > until)
        throw new Step(`the standby did not become synchronous in ${SYNC_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const script = path.join(folder, 'upsert.sql');
    fs.writeFileSync(script, SCRIPT);
    const output = run(
      path.join(bin, 'pgbench'),
      [
        ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-n', '-M', 'prepared'],
        ...['-c', String(clients), '-j', String(Math.min(clients, os.cpus().length))],
        ...['-T', String(PG_SECONDS), '-f', script, '--log', `--log-prefix=${path.join(folder, 'tx')}`],
        'postgres',
      ],
      (PG_SECONDS + 30) * 1000,
    );
    const perSecond = Number(/^tps = ([\d.]+)/m.exec(output)?.[1] ?? NaN);
    const failed = Number(/^number of failed transactions: (\d+)/m.exec(output)?.[1] ?? 0);
    const latencies = transactionLatencies(folder);
    if (sql(primaryPort, syncQuery) !== 'sync')
      throw new Step('the standby was no longer synchronous at the end');

    // The standby flushed every answered change; once it has also replayed them it must hold the same rows.
    const lsn = sql(primaryPort, 'SELECT pg_current_wal_lsn()');
    const replayed = `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`;
    const replayUntil = performance.now() + SYNC_WAIT_MS;
    while (sql(standbyPort, replayed) !== 't' && performance.now() < replayUntil)
      await new Promise((r) => setTimeout(r, 100));
    const digest =
      "SELECT count(*) || ' ' || md5(coalesce(string_agg(k || '=' || v, ',' ORDER BY k), '')) FROM kv";
    const standbySame = sql(primaryPort, digest) === sql(standbyPort, digest);

    cleanUp();
    return {
      ran: true,
      figures: {
        version,
        perSecond,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        transactions: latencies.length,
        failed,
        standbySame,
        totalSeconds: (performance.now() - started) / 1000,
      },
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ran: false, installed: true, note: why };
  } finally {
    cleanUp();
    // A signal that came while a step blocked the event loop is delivered now, while its handler still listens.
    await new Promise((r) => setImmediate(r));
    for (const s of signals) process.off(s, onSignal);
  }
}

/**
 * Per-transaction latencies (ms) from pgbench's log files (`tx.<pid>` and `tx.<pid>.<thread>`): client,
 * transaction number, latency in µs (or `failed`/`skipped`), script, epoch seconds, µs.
 */
function transactionLatencies(folder: string): number[] {
  const latencies: number[] = [];
  for (const file of fs.readdirSync(folder).filter((f) => f.startsWith('tx.'))) {
    for (const line of fs.readFileSync(path.join(folder, file), 'utf8').split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (line !== '' && Number.isFinite(micros)) latencies.push(micros / 1000);
    }
  }
  return latencies;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const clients = Number(process.env['BENCH_PG_CLIENTS'] ?? 32);
  const outcome = await pgSyncReplication(clients);
  console.log(pgBenchSettings(clients));
  console.log(outcome.ran ? outcome.figures : outcome.note);
}
