/**
 * Reads one node for the monitor (docs/monitor.md "What the monitor reads"): the live WebSocket first, so a
 * change reaches the monitor as the node pushes it; polling `GET /api/status` for a node that answers HTTP
 * but offers no live socket. Failover history, certificates and alarms are fetched when the node is (again)
 * reached, then kept current from the live messages and a slow refresh.
 */
import type WebSocket from 'ws';
import type { AlarmView, CertificateRecord, FailoverEvent, StatusView } from '../dto.ts';
import { LIVE_CLOSE_UNAUTHORIZED } from '../protocol/close-codes.ts';
import { parseLiveMessage } from '../protocol/live-messages.ts';
import { BackoffSchedule } from '../protocol/backoff.ts';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.ts';
import fs from 'node:fs';
import type { WatchedNode } from './config.ts';
import type { NodeReach } from './fleet-dto.ts';
import { describeFailure, getJson, NodeReadError, openLive } from './node-transport.ts';

export interface MonitorTiming {
  /** A connect or a GET that takes longer has failed. */
  readonly requestTimeoutMs: number;
  /** A live socket silent this long is dead (the node pushes its status every second). */
  readonly staleMs: number;
  /** Between two `GET /api/status` for a node without a live socket. */
  readonly pollMs: number;
  /** Retries of a node that does not answer: doubling from the first, up to the second. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often certificates and alarms are read again while the node answers. */
  readonly refreshMs: number;
}

export const DEFAULT_TIMING: MonitorTiming = {
  requestTimeoutMs: 2000,
  staleMs: 3000,
  pollMs: 1000,
  retryBaseMs: 250,
  retryMaxMs: 5000,
  refreshMs: 30_000,
};

/** What a NodeReader runs on, for specs to replace. */
export interface NodeReaderDeps {
  readonly clock?: Clock;
  /** A number in [0, 1), like Math.random: the retries' spread. */
  readonly random?: () => number;
}

export class NodeReader {
  reach: NodeReach = 'checking';
  problem: string | null = null;
  /** The last status the node answered; kept while it does not answer (then stale). */
  status: StatusView | null = null;
  /** Since when `answering` has been what it is. */
  since: number;
  via: 'live' | 'poll' | null = null;
  /** Role changes, newest first (at most 20). */
  roleChanges: FailoverEvent[] = [];
  certificates: CertificateRecord[] = [];
  unacknowledgedAlarms: number | null = null;

  /** The node with its token as last read (from the config, or its token file at each attempt). */
  #node: WatchedNode;
  readonly #timing: MonitorTiming;
  readonly #now: () => number;
  readonly #changed: () => void;
  #socket: WebSocket | null = null;
  readonly #clock: Clock;
  /** Retries of a node that does not answer: longer each time in a row, from the first pause again once it answers. */
  readonly #backoff: BackoffSchedule;
  #retry: TimerHandle | null = null;
  #stale: TimerHandle | null = null;
  #refresh: TimerHandle | null = null;
  #poll = false;
  #stopped = true;

  /** `deps`: the timers and the random source of the retries' spread (the system's by default; specs pass their own). */
  constructor(
    node: WatchedNode,
    timing: MonitorTiming,
    now: () => number,
    changed: () => void,
    deps: NodeReaderDeps = {},
  ) {
    this.#node = node;
    this.#timing = timing;
    this.#now = now;
    this.#changed = changed;
    this.#clock = deps.clock ?? systemClock;
    this.#backoff = new BackoffSchedule({
      baseMs: timing.retryBaseMs,
      maxMs: timing.retryMaxMs,
      random: deps.random ?? Math.random,
    });
    this.since = now();
  }

  get answering(): boolean {
    return this.reach === 'answering';
  }

  start(): void {
    this.stop();
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of [this.#retry, this.#stale, this.#refresh]) if (timer) this.#clock.clearTimeout(timer);
    this.#retry = this.#stale = this.#refresh = null;
    this.#socket?.removeAllListeners();
    this.#socket?.on('error', () => undefined);
    this.#socket?.terminate();
    this.#socket = null;
  }

  #connect(): void {
    if (this.#stopped) return;
    const tokenProblem = this.#readTokenFile();
    if (tokenProblem) return this.#failed(tokenProblem);
    if (this.#poll) return void this.#pollOnce();
    const socket = openLive(this.#node, this.#timing.requestTimeoutMs);
    this.#socket = socket;
    let failure: NodeReadError | null = null;
    socket.on('open', () => {
      socket.send(JSON.stringify({ token: this.#node.token }));
      this.#watchStale(socket);
    });
    socket.on('unexpected-response', (request, response) => {
      // The node answers HTTP but offers no live socket here (a proxy, an older version): poll it instead.
      response.resume();
      this.#poll = true;
      failure = new NodeReadError('unreachable', `live socket refused (${response.statusCode ?? '?'})`);
      // Destroying the request alone leaves the socket connecting for ever (ws emits no close then):
      // terminate ends the handshake with an error and a close, and the close schedules the poll.
      request.destroy();
      socket.terminate();
    });
    socket.on('message', (data) => {
      this.#watchStale(socket);
      this.#onMessage((data as Buffer).toString('utf8'));
    });
    socket.on('error', (error) => {
      // The first reason stands: a refused live socket, not the error its termination raises.
      failure ??= describeFailure(error, this.#node, this.#timing.requestTimeoutMs);
    });
    socket.on('close', (code, reason) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#stale) this.#clock.clearTimeout(this.#stale);
      if (code === LIVE_CLOSE_UNAUTHORIZED)
        failure = new NodeReadError(
          'unauthorized',
          `wrong credentials: the node refused the token (${reason.toString() || '401'})`,
        );
      this.#failed(failure ?? new NodeReadError('unreachable', `live socket closed (${code})`));
    });
  }

  /** Reads the token file, if the config names one; a problem when it cannot be read. */
  #readTokenFile(): NodeReadError | null {
    const file = this.#node.tokenFile;
    if (file === null) return null;
    try {
      const token = fs.readFileSync(file, 'utf8').trim();
      if (token === '') return new NodeReadError('unauthorized', `no token: ${file} is empty`);
      this.#node = { ...this.#node, token };
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return new NodeReadError('unauthorized', `no token: ${file} cannot be read (${code})`);
    }
  }

  #watchStale(socket: WebSocket): void {
    if (this.#stale) this.#clock.clearTimeout(this.#stale);
    this.#stale = this.#clock.setTimeout(() => {
      if (this.#socket !== socket) return;
      socket.emit(
        'error',
        new NodeReadError('unreachable', `no answer for ${this.#timing.staleMs / 1000} s`),
      );
      socket.terminate();
    }, this.#timing.staleMs);
  }

  #onMessage(text: string): void {
    const message = parseLiveMessage(text);
    if (!message) return;
    switch (message.type) {
      case 'status':
        this.via = 'live';
        this.#answered(message.status);
        break;
      case 'event': {
        const event = message.event;
        if (event.kind === 'role-change') this.roleChanges = [event, ...this.roleChanges].slice(0, 20);
        if (event.kind.startsWith('certificate')) void this.#readCertificates();
        break;
      }
      case 'alarms':
        this.unacknowledgedAlarms = countUnacknowledged(message.alarms);
        this.#changed();
        break;
      case 'values':
      case 'config':
        // The fleet view shows neither tag values nor config.
        break;
    }
  }

  #answered(status: StatusView): void {
    const wasAnswering = this.answering;
    this.status = status;
    this.problem = null;
    this.#backoff.reset();
    if (!wasAnswering) {
      this.reach = 'answering';
      this.since = this.#now();
      void this.#readExtras();
    }
    this.#changed();
  }

  #failed(error: NodeReadError): void {
    if (this.#stopped) return;
    if (this.answering || this.reach === 'checking') this.since = this.#now();
    const changed = this.reach !== error.kind || this.problem !== error.message;
    this.reach = error.kind;
    this.problem = error.message;
    if (changed) this.#changed();
    // Wrong credentials or a wrong certificate will not mend by themselves soon: try again at the slowest pace.
    const delay = error.kind === 'unreachable' ? this.#backoff.next() : this.#timing.retryMaxMs;
    this.#retry = this.#clock.setTimeout(() => this.#connect(), delay);
  }

  async #pollOnce(): Promise<void> {
    try {
      const status = (await getJson(this.#node, '/api/status', this.#timing.requestTimeoutMs)) as StatusView;
      if (this.#stopped) return;
      this.via = 'poll';
      const before = this.status;
      this.#answered(status);
      if (before && before.node.status !== status.node.status) void this.#readRoleChanges();
      this.#retry = this.#clock.setTimeout(() => this.#connect(), this.#timing.pollMs);
    } catch (error) {
      this.#failed(describeFailure(error, this.#node, this.#timing.requestTimeoutMs));
    }
  }

  /** Failover history, certificates and alarms: read when the node is reached, then every `refreshMs`. */
  async #readExtras(): Promise<void> {
    if (this.#refresh) this.#clock.clearTimeout(this.#refresh);
    await Promise.all([this.#readRoleChanges(), this.#readCertificates(), this.#readAlarms()]);
    if (this.#stopped) return;
    this.#refresh = this.#clock.setTimeout(() => {
      if (this.answering) void this.#readExtras();
    }, this.#timing.refreshMs);
  }

  async #readRoleChanges(): Promise<void> {
    const events = await this.#read<FailoverEvent[]>('/api/events?limit=20&kind=role-change');
    if (events) this.roleChanges = events;
    this.#changed();
  }

  async #readCertificates(): Promise<void> {
    const certificates = await this.#read<CertificateRecord[]>('/api/certificates');
    if (certificates) this.certificates = certificates;
    this.#changed();
  }

  async #readAlarms(): Promise<void> {
    const alarms = await this.#read<AlarmView[]>('/api/alarms');
    if (alarms) this.unacknowledgedAlarms = countUnacknowledged(alarms);
    this.#changed();
  }

  /** A GET whose failure only leaves the previous value (the live socket says whether the node answers). */
  async #read<T>(route: string): Promise<T | null> {
    try {
      const answer = (await getJson(this.#node, route, this.#timing.requestTimeoutMs)) as T;
      return this.#stopped ? null : answer;
    } catch {
      return null;
    }
  }
}

/** Active alarms nobody has acknowledged: what the node's own dashboard counts in its navigation. */
function countUnacknowledged(alarms: readonly AlarmView[]): number {
  return alarms.filter((alarm) => alarm.active && !alarm.acked).length;
}
