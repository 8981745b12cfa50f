/**
 * Fuzzes a real node's peer port (issue 14): raw TCP garbage, TLS without a certificate, with a self-made one
 * and with one the node trusts (given with `--trust-peer`, so cases get past trust to frame parsing), WebSocket
 * frames at the byte level and JSON frames of the wrong shape. A crash is the node process exiting or its
 * status API no longer answering; any crash makes the run exit non-zero and names the cases in flight.
 *
 *   npx node test/fuzz/peer-port-fuzz.ts --cases 100000 --seed 1 [--concurrency 64] [--first 0]
 *
 * Every case is made from the seed and its number alone (peer-cases.ts): `--first K --cases 1` replays case K.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { loadOrCreateIdentity, type Identity } from '../../node-core/trust/index.ts';
import { FAST, NodeProcess, freePort, tempDir } from '../integration/harness.ts';
import { makeCase, type CaseKind, type Credential, type FuzzCase } from './peer-cases.ts';
import { clientContext, closedWithin, connectTcp, connectTls, upgrade } from './raw-peer.ts';

export interface FuzzTarget {
  readonly peerPort: number;
  readonly pairName: string;
  /** The identity the node trusts, and one it has never seen. */
  readonly trusted: Identity;
  readonly stranger: Identity;
  /** Null while the node is fine; otherwise why it is not (exited, API silent). */
  health(): Promise<string | null>;
  /** CPU seconds the node has used so far, where that can be read (Linux), for a load-independent cost. */
  cpuSeconds?(): number | null;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  readonly first?: number;
  readonly concurrency?: number;
  /** How long a case waits for the node to close its connection after everything was sent. */
  readonly settleMs?: number;
  /** How often the node's health is checked while cases run. */
  readonly healthEveryMs?: number;
  /** Runs only the cases of these kinds (the others are skipped, so case numbers stay those of the full run). */
  readonly only?: readonly CaseKind[];
}

export interface FuzzReport {
  readonly seed: number;
  readonly first: number;
  readonly cases: number;
  readonly crashes: number;
  readonly seconds: number;
  readonly casesPerSecond: number;
  readonly byKind: Record<CaseKind, number>;
  /** Cases whose connection the node never opened (refused, TLS failed): normal for garbage. */
  readonly refused: number;
  /** Cases the node left open after `settleMs` (the fuzzer cut them), and the first few of them. */
  readonly leftOpen: number;
  readonly leftOpenCases: readonly number[];
  readonly crash: { readonly reason: string; readonly inFlight: readonly number[] } | null;
  /** CPU time per case, of the node and of this fuzzer (ms): what a run costs on an idle machine. */
  readonly nodeCpuMsPerCase: number | null;
  readonly fuzzerCpuMsPerCase: number;
}

export async function fuzzPeerPort(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const first = options.first ?? 0;
  const concurrency = options.concurrency ?? 64;
  const settleMs = options.settleMs ?? 2000;
  const contexts: Record<Credential, tls.SecureContext | null> = {
    none: null,
    stranger: clientContext(target.stranger),
    trusted: clientContext(target.trusted),
  };
  const byKind: Record<CaseKind, number> = {
    'tcp-garbage': 0,
    'tls-http': 0,
    'ws-frames': 0,
    'json-frames': 0,
  };
  const inFlight = new Set<number>();
  const sessions = new Map<Credential, Buffer>();
  let next = first;
  let done = 0;
  let refused = 0;
  let leftOpen = 0;
  let skipped = 0;
  const leftOpenCases: number[] = [];
  let crash: FuzzReport['crash'] = null;
  const started = performance.now();
  const nodeCpuBefore = target.cpuSeconds?.() ?? null;
  const fuzzerCpuBefore = process.cpuUsage();

  const watch = (async () => {
    while (!crash && done < options.cases) {
      await new Promise((resolve) => setTimeout(resolve, options.healthEveryMs ?? 250));
      const problem = await target.health();
      if (problem && !crash) crash = { reason: problem, inFlight: [...inFlight].sort((a, b) => a - b) };
    }
  })();

  const worker = async (): Promise<void> => {
    while (!crash && next < first + options.cases) {
      const index = next++;
      const fuzzCase = makeCase(options.seed, index, { pairName: target.pairName });
      if (options.only && !options.only.includes(fuzzCase.kind)) {
        done++;
        skipped++;
        continue;
      }
      inFlight.add(index);
      const outcome = await runCase(
        target.peerPort,
        fuzzCase,
        contexts[fuzzCase.credential],
        settleMs,
        sessions,
      );
      inFlight.delete(index);
      byKind[fuzzCase.kind]++;
      if (outcome === 'refused') refused++;
      if (outcome === 'left-open' && leftOpen++ < 10) leftOpenCases.push(index);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const final = crash ?? (await target.health());
  if (final && !crash) crash = { reason: final, inFlight: [] };
  await watch;
  const seconds = (performance.now() - started) / 1000;
  const nodeCpuAfter = target.cpuSeconds?.() ?? null;
  const fuzzerCpu = process.cpuUsage(fuzzerCpuBefore);
  const ran = Math.max(1, done - skipped);
  return {
    seed: options.seed,
    first,
    cases: done - skipped,
    crashes: crash ? 1 : 0,
    seconds,
    casesPerSecond: (done - skipped) / seconds,
    byKind,
    refused,
    leftOpen,
    leftOpenCases,
    crash,
    nodeCpuMsPerCase:
      nodeCpuBefore !== null && nodeCpuAfter !== null ? ((nodeCpuAfter - nodeCpuBefore) * 1000) / ran : null,
    fuzzerCpuMsPerCase: (fuzzerCpu.user + fuzzerCpu.system) / 1000 / ran,
  };
}

type Outcome = 'closed' | 'refused' | 'left-open';

/** Four TLS cases in five resume a session of the same certificate; every fifth makes the full handshake. */
const FULL_HANDSHAKE_EVERY = 5;

async function runCase(
  port: number,
  fuzzCase: FuzzCase,
  context: tls.SecureContext | null,
  settleMs: number,
  sessions: Map<Credential, Buffer>,
): Promise<Outcome> {
  const session = fuzzCase.index % FULL_HANDSHAKE_EVERY === 0 ? undefined : sessions.get(fuzzCase.credential);
  const socket: net.Socket | null =
    fuzzCase.kind === 'tcp-garbage'
      ? await connectTcp(port, settleMs)
      : await connectTls({
          port,
          timeoutMs: settleMs,
          ...(context ? { context } : {}),
          ...(session ? { session } : {}),
          onSession: (ticket) => sessions.set(fuzzCase.credential, ticket),
        });
  if (!socket) return 'refused';
  socket.on('error', () => undefined);
  try {
    if (fuzzCase.upgrade && (await upgrade(socket, port, settleMs)) === null) return 'refused';
    for (const chunk of fuzzCase.chunks) {
      if (socket.destroyed) break;
      socket.write(chunk);
    }
    // No more from this side: a node that waits for the rest of a frame sees the end of the stream. What
    // the node sends is read and dropped (unread, its end would never be seen).
    socket.end();
    socket.resume();
    return (await closedWithin(socket, settleMs)) ? 'closed' : 'left-open';
  } finally {
    socket.destroy();
  }
}

/** A master node of its own in a temporary folder, trusting `trusted` as its backup. */
export async function startFuzzNode(trusted: Identity, pairName: string): Promise<NodeProcess> {
  const peerPort = await freePort();
  const node = new NodeProcess(tempDir('fuzz-master'), await freePort(), [
    '--name',
    pairName,
    '--mode',
    'master',
    '--peer-host',
    '127.0.0.1',
    '--peer-port',
    String(peerPort),
    '--trust-peer',
    trusted.info.fingerprint,
    ...FAST,
  ]);
  await node.start();
  return node;
}

/** The node's health: its process runs and `GET /api/status` answers within `timeoutMs`. */
export function nodeHealth(node: NodeProcess, timeoutMs: number): () => Promise<string | null> {
  return async () => {
    const child = node.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return `node exited (${child?.exitCode ?? child?.signalCode ?? 'never started'}):\n${node.output.slice(-4000)}`;
    try {
      const response = await fetch(`${node.url}/api/status`, {
        headers: { authorization: `Bearer ${node.token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      return response.status === 200 ? null : `GET /api/status answered ${response.status}`;
    } catch (error) {
      return `GET /api/status did not answer: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

/** CPU seconds (user + system) of a process, from /proc on Linux; null elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second on Linux); the name may hold spaces.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function fuzzIdentities(): Promise<{ trusted: Identity; stranger: Identity }> {
  const [trusted, stranger] = await Promise.all([
    loadOrCreateIdentity(tempDir('fuzz-trusted'), 'fuzz backup'),
    loadOrCreateIdentity(tempDir('fuzz-stranger'), 'fuzz stranger'),
  ]);
  return { trusted, stranger };
}

export function formatReport(report: FuzzReport): string {
  const lines = [
    `peer port fuzz: seed ${report.seed}, from case ${report.first}`,
    `| kind        | cases |`,
    `|-------------|-------|`,
    ...Object.entries(report.byKind).map(([kind, n]) => `| ${kind.padEnd(11)} | ${String(n).padStart(5)} |`),
    `cases ${report.cases}, ${report.seconds.toFixed(1)} s, ${Math.round(report.casesPerSecond)} cases/s; ` +
      `no connection ${report.refused}, left open ${report.leftOpen}; crashes ${report.crashes}`,
    `CPU per case: node ${report.nodeCpuMsPerCase?.toFixed(2) ?? '?'} ms, fuzzer ${report.fuzzerCpuMsPerCase.toFixed(2)} ms`,
  ];
  if (report.leftOpen > 0)
    lines.push(`left open: cases ${report.leftOpenCases.join(', ')}${report.leftOpen > 10 ? ', …' : ''}`);
  if (report.crash)
    lines.push(
      `CRASH: ${report.crash.reason}`,
      `cases in flight: ${report.crash.inFlight.join(', ') || '(none)'}; replay one with --seed ${report.seed} --first N --cases 1`,
    );
  return lines.join('\n');
}

/** The fuzz target of a node started by `startFuzzNode`. */
export function targetOf(
  node: NodeProcess,
  identities: { readonly trusted: Identity; readonly stranger: Identity },
  pairName: string,
): FuzzTarget {
  return {
    peerPort: Number(node.args[node.args.indexOf('--peer-port') + 1]),
    pairName,
    ...identities,
    health: nodeHealth(node, 5000),
    cpuSeconds: () => processCpuSeconds(node.child?.pid),
  };
}

/** Reports of runs side by side (one per node) as one: their cases add up over the longest run's time. */
export function mergeReports(reports: readonly FuzzReport[]): FuzzReport {
  const first = reports[0];
  if (!first) throw new Error('no reports');
  const cases = reports.reduce((n, r) => n + r.cases, 0);
  const seconds = Math.max(...reports.map((r) => r.seconds));
  const byKind = { ...first.byKind };
  for (const r of reports.slice(1))
    for (const kind of Object.keys(byKind) as CaseKind[]) byKind[kind] += r.byKind[kind];
  const weighted = (pick: (r: FuzzReport) => number | null): number | null =>
    reports.some((r) => pick(r) === null)
      ? null
      : reports.reduce((sum, r) => sum + (pick(r) ?? 0) * r.cases, 0) / Math.max(1, cases);
  return {
    seed: first.seed,
    first: first.first,
    cases,
    crashes: reports.reduce((n, r) => n + r.crashes, 0),
    seconds,
    casesPerSecond: cases / seconds,
    byKind,
    refused: reports.reduce((n, r) => n + r.refused, 0),
    leftOpen: reports.reduce((n, r) => n + r.leftOpen, 0),
    leftOpenCases: reports.flatMap((r) => r.leftOpenCases).slice(0, 10),
    crash: reports.find((r) => r.crash)?.crash ?? null,
    nodeCpuMsPerCase: weighted((r) => r.nodeCpuMsPerCase),
    fuzzerCpuMsPerCase: weighted((r) => r.fuzzerCpuMsPerCase) ?? 0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      first: { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '32' },
      /** Nodes fuzzed side by side, each with its share of the cases (for machines with cores to spare). */
      nodes: { type: 'string', default: '1' },
      only: { type: 'string' },
    },
  });
  const identities = await fuzzIdentities();
  const pairName = 'fuzz';
  const count = Math.max(1, Number(values.nodes));
  const nodes = await Promise.all(
    Array.from({ length: count }, () => startFuzzNode(identities.trusted, pairName)),
  );
  const total = Number(values.cases);
  const share = Math.ceil(total / count);
  try {
    const reports = await Promise.all(
      nodes.map((node, i) =>
        fuzzPeerPort(targetOf(node, identities, pairName), {
          seed: Number(values.seed),
          first: Number(values.first) + i * share,
          cases: Math.max(0, Math.min(share, total - i * share)),
          concurrency: Number(values.concurrency),
          ...(values.only ? { only: values.only.split(',') as CaseKind[] } : {}),
        }),
      ),
    );
    const report = mergeReports(reports);
    console.log(formatReport(report));
    const crashed = reports.findIndex((r) => r.crash);
    if (crashed >= 0) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      console.log(`node output (last 6000 characters):\n${nodes[crashed]!.output.slice(-6000)}`);
    }
    process.exitCode = report.crashes > 0 ? 1 : 0;
  } finally {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  }
}

if (import.meta.main) await main();
