/**
 * One `tandem-node` process of the service bundle (dist/node, run with node_modules/.bin/node) that the chaos
 * run kills, freezes, stops, restarts and skews. Every exit the schedule did not cause is a crash, kept with
 * the last lines the process wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { StatusView } from '../../node-core/dto.ts';

/** Where Debian's libfaketime lives; null when the package is not installed. */
export const FAKETIME_LIB: string | null =
  [
    '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
    '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  ].find((file) => fs.existsSync(file)) ?? null;

/** Every process a chaos run started and that has not exited: killed if the run itself is interrupted. */
export const liveChildren = new Set<ChildProcess>();

/**
 * A process that exited without the schedule stopping it: a crash. `refused-start`: it exited at start with
 * one line on stderr, the way contract.md asks a node that cannot start to say so (still an exit the
 * schedule did not cause: the schedule only starts a node that should be able to run).
 */
export interface Crash {
  readonly kind: 'crash' | 'refused-start';
  readonly node: string;
  readonly at: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly lastLines: readonly string[];
}

export interface ChaosNodeOptions {
  /** `master` or `backup`: the process, whatever its status. */
  readonly label: string;
  readonly entry: string;
  readonly nodeBin: string;
  readonly dataDir: string;
  readonly apiPort: number;
  readonly args: readonly string[];
  readonly token: string;
  readonly crashed: (crash: Crash) => void;
}

/** How much of a process's output is kept for a crash report. */
const TAIL_LINES = 60;
const START_BOUND_MS = 20_000;
const STOP_BOUND_MS = 15_000;

export class ChaosNode {
  readonly o: ChaosNodeOptions;
  #child: ChildProcess | null = null;
  /** Set by the schedule before it signals the process, so that exit is not a crash. */
  #expectExit = false;
  #tail: string[] = [];
  #partial = '';
  /** Seconds the wall clock is moved (faketime) from the next start on; 0: the real clock. */
  skewSeconds = 0;
  frozen = false;

  constructor(options: ChaosNodeOptions) {
    this.o = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.o.apiPort}`;
  }

  get running(): boolean {
    const c = this.#child;
    return c !== null && c.exitCode === null && c.signalCode === null;
  }

  get pid(): number | null {
    return this.running ? (this.#child?.pid ?? null) : null;
  }

  tail(): string[] {
    return [...this.#tail, ...(this.#partial ? [this.#partial] : [])];
  }

  /**
   * Starts the process and resolves once it printed its dashboard address; rejects with its output when
   * it exits first (`expectFailure` then resolves with the exit instead: the damaged-database check).
   */
  async start(): Promise<void> {
    const result = await this.#spawn(false);
    if (result.kind === 'exited')
      throw new Error(`${this.o.label} exited at start (code ${result.code}): ${result.stderr.join(' | ')}`);
  }

  /** Starts a node that should refuse to start: how it exited, or that it started after all. */
  async startExpectingRefusal(): Promise<
    { kind: 'exited'; code: number | null; stderr: string[] } | { kind: 'started' }
  > {
    return this.#spawn(true);
  }

  async #spawn(
    refusalExpected: boolean,
  ): Promise<{ kind: 'exited'; code: number | null; stderr: string[] } | { kind: 'started' }> {
    if (this.running) throw new Error(`${this.o.label} is running already`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TANDEM_LOG_LEVEL: 'warn',
      TANDEM_ADMIN_TOKEN: this.o.token,
    };
    if (this.skewSeconds !== 0 && FAKETIME_LIB) {
      env['LD_PRELOAD'] = FAKETIME_LIB;
      env['FAKETIME'] = `${this.skewSeconds > 0 ? '+' : ''}${this.skewSeconds}s`;
      // Only the wall clock moves, as on a PC whose clock is wrong; timers keep their real length.
      env['FAKETIME_DONT_FAKE_MONOTONIC'] = '1';
      env['FAKETIME_DONT_RESET'] = '1';
    }
    const child = spawn(
      this.o.nodeBin,
      [this.o.entry, '--data-dir', this.o.dataDir, '--api-port', String(this.o.apiPort), ...this.o.args],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    this.#child = child;
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    this.#expectExit = refusalExpected;
    this.frozen = false;
    this.#tail = [];
    this.#partial = '';
    let stdout = '';
    const stderr: string[] = [];
    let stderrPartial = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      this.#keep(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      this.#keep(d);
      stderrPartial += d.toString();
      const lines = stderrPartial.split('\n');
      stderrPartial = lines.pop() ?? '';
      stderr.push(...lines);
      for (const line of lines) this.#noteLog(line);
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let started = false;
    void exited.then(async ({ code, signal }) => {
      if (this.#child !== child || this.#expectExit) return;
      await new Promise((r) => setTimeout(r, 50)); // the last of stderr
      const said = operatorLines([...stderr, stderrPartial]);
      const kind = !started && code !== 0 && signal === null && said.length === 1 ? 'refused-start' : 'crash';
      this.o.crashed({ kind, node: this.o.label, at: Date.now(), code, signal, lastLines: this.tail() });
    });
    const deadline = Date.now() + START_BOUND_MS;
    for (;;) {
      if (/#token=\S+/.test(stdout)) {
        started = true;
        this.#expectExit = false;
        return { kind: 'started' };
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        // The stream may end just after the exit: give it a moment.
        await new Promise((r) => setTimeout(r, 50));
        if (stderrPartial) stderr.push(stderrPartial);
        return { kind: 'exited', code: child.exitCode, stderr: stderr.filter((l) => l.trim() !== '') };
      }
      if (Date.now() > deadline) {
        this.#expectExit = true;
        child.kill('SIGKILL');
        await exited;
        throw new Error(
          `${this.o.label} did not start within ${START_BOUND_MS} ms: ${this.tail().join(' | ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Warnings and errors the node logged (pino JSON on stderr), counted by message, over all its starts. */
  readonly logged = new Map<string, number>();

  #noteLog(line: string): void {
    if (!line.startsWith('{')) return;
    let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown }; reason?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (typeof entry.level !== 'number' || entry.level < 40) return;
    const level = entry.level >= 60 ? 'fatal' : entry.level >= 50 ? 'error' : 'warn';
    // The error, or the reason a log line gives (a closed link says why: "bad frame: alarms.0.x: …").
    const why = typeof entry.err?.message === 'string' ? entry.err.message : entry.reason;
    const detail = typeof why === 'string' ? `: ${why}` : '';
    const key = `${level} "${typeof entry.msg === 'string' ? entry.msg : ''}${detail}"`.slice(0, 240);
    this.logged.set(key, (this.logged.get(key) ?? 0) + 1);
  }

  #keep(data: Buffer): void {
    const lines = (this.#partial + data.toString()).split('\n');
    this.#partial = lines.pop() ?? '';
    this.#tail.push(...lines.filter((l) => l.trim() !== ''));
    if (this.#tail.length > TAIL_LINES) this.#tail.splice(0, this.#tail.length - TAIL_LINES);
  }

  /** kill -9, as a power cut of that PC. */
  async kill9(): Promise<void> {
    await this.#signalAndWait('SIGKILL', STOP_BOUND_MS);
  }

  /**
   * SIGTERM and wait for the clean stop (hand-over first). A stop that hangs past the bound is ended with
   * SIGKILL and reported (false).
   */
  async stop(): Promise<boolean> {
    if (this.frozen) this.resume();
    if (await this.#signalAndWait('SIGTERM', STOP_BOUND_MS)) return true;
    await this.#signalAndWait('SIGKILL', STOP_BOUND_MS);
    return false;
  }

  freeze(): void {
    if (!this.running) return;
    this.#child?.kill('SIGSTOP');
    this.frozen = true;
  }

  resume(): void {
    if (this.running) this.#child?.kill('SIGCONT');
    this.frozen = false;
  }

  async #signalAndWait(signal: NodeJS.Signals, boundMs: number): Promise<boolean> {
    const child = this.#child;
    if (!child || !this.running) return true;
    this.#expectExit = true;
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), boundMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.frozen = false;
    return exited;
  }

  async status(timeoutMs = 500): Promise<StatusView | null> {
    try {
      const response = await fetch(this.url + '/api/status', {
        headers: { authorization: `Bearer ${this.o.token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return null;
      return (await response.json()) as StatusView;
    } catch {
      return null;
    }
  }

  /** A GET of the API answered as JSON, or throws. */
  async get<T>(route: string, timeoutMs = 5000): Promise<T> {
    const response = await fetch(this.url + route, {
      headers: { authorization: `Bearer ${this.o.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`${this.o.label} GET ${route}: ${response.status}`);
    return (await response.json()) as T;
  }

  async post<T>(route: string, timeoutMs = 5000): Promise<{ status: number; body: T | null }> {
    const response = await fetch(this.url + route, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.o.token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: T | null = null;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = null;
    }
    return { status: response.status, body };
  }
}

/** What a process said to an operator on stderr: its lines without the structured (pino JSON) log lines. */
export function operatorLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.trim() !== '' && !isLogLine(line));
}

function isLogLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(line) as { level?: unknown };
    return typeof parsed.level === 'number';
  } catch {
    // A log line cut off at the tail kept for reports still starts like one.
    return /^\{"level":\d+/.test(line);
  }
}

/** A crash's last lines for a report: the error and where it was thrown, without the whole stack. */
export function crashSummary(lines: readonly string[], stackLines = 4): string[] {
  const out: string[] = [];
  let stack = 0;
  const logLines = lines.filter(isLogLine).length;
  if (logLines > 0) out.push(`(${logLines} structured log lines left out: the notes list what was logged)`);
  for (const line of lines) {
    if (isLogLine(line)) continue;
    if (/^\s+at /.test(line)) {
      if (stack++ < stackLines) out.push(line);
      continue;
    }
    if (stack > stackLines) out.push(`    ... ${stack - stackLines} more frames`);
    stack = 0;
    out.push(line);
  }
  if (stack > stackLines) out.push(`    ... ${stack - stackLines} more frames`);
  return out.slice(-24);
}
