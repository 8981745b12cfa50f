/**
 * The fleet as the monitor pushes it: `/api/fleet/live` (first message: the token), and `GET /api/fleet` every
 * `pollMs` while the socket is down, so the wall screen keeps its last view and says how old it is.
 */
import type { FleetView } from '../../../node-core/monitor/fleet-dto.ts';
import { LIVE_CLOSE_UNAUTHORIZED } from '../../../node-core/protocol/close-codes.ts';

export type FleetConnection =
  | { readonly state: 'connecting' }
  | { readonly state: 'live' }
  /** The socket is down; the page polls (and says since when it has no fresh view if polling fails too). */
  | { readonly state: 'polling'; readonly problem: string | null }
  | { readonly state: 'unauthorized' };

export interface FleetTransport {
  fetchFleet(): Promise<FleetView>;
  openLive(): WebSocket;
}

export interface FleetTimers {
  readonly pollMs: number;
  readonly reconnectMs: number;
  now(): number;
}

const DEFAULT_TIMERS: FleetTimers = { pollMs: 2000, reconnectMs: 2000, now: () => Date.now() };

export class FleetState {
  fleet = $state<FleetView | null>(null);
  /** When the monitor's view last arrived (ms since epoch). */
  receivedAt = $state<number | null>(null);
  connection = $state<FleetConnection>({ state: 'connecting' });
  /** Ticks every second, for "since" texts. */
  now = $state(0);

  readonly #transport: FleetTransport;
  readonly #token: string;
  readonly #timers: FleetTimers;
  #socket: WebSocket | null = null;
  #poll: ReturnType<typeof setTimeout> | null = null;
  #reconnect: ReturnType<typeof setTimeout> | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  /** True while the poll loop runs (one at a time, however often the socket fails). */
  #polling = false;
  #stopped = true;

  constructor(transport: FleetTransport, token: string, timers: FleetTimers = DEFAULT_TIMERS) {
    this.#transport = transport;
    this.#token = token;
    this.#timers = timers;
    this.now = timers.now();
  }

  start(): void {
    this.stop();
    this.#stopped = false;
    this.#ticker = setInterval(() => (this.now = this.#timers.now()), 1000);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of [this.#poll, this.#reconnect]) if (timer) clearTimeout(timer);
    if (this.#ticker) clearInterval(this.#ticker);
    this.#poll = this.#reconnect = this.#ticker = null;
    this.#polling = false;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
  }

  #received(fleet: FleetView): void {
    this.fleet = fleet;
    this.receivedAt = this.now = this.#timers.now();
  }

  #connect(): void {
    if (this.#stopped) return;
    const socket = this.#transport.openLive();
    this.#socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ token: this.#token }));
    socket.onmessage = (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { type?: string; fleet?: FleetView };
      if (message.type !== 'fleet' || !message.fleet) return;
      if (this.#poll) clearTimeout(this.#poll);
      this.#poll = null;
      this.#polling = false;
      this.connection = { state: 'live' };
      this.#received(message.fleet);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (event.code === LIVE_CLOSE_UNAUTHORIZED) {
        this.connection = { state: 'unauthorized' };
        return;
      }
      if (this.connection.state !== 'polling') this.connection = { state: 'polling', problem: null };
      if (!this.#polling) {
        this.#polling = true;
        void this.#pollOnce();
      }
      this.#reconnect = setTimeout(() => this.#connect(), this.#timers.reconnectMs);
    };
  }

  async #pollOnce(): Promise<void> {
    this.#poll = null;
    if (!this.#polling) return;
    try {
      const fleet = await this.#transport.fetchFleet();
      if (this.#stopped || !this.#polling) return;
      this.connection = { state: 'polling', problem: null };
      this.#received(fleet);
    } catch (error) {
      if (this.#stopped || !this.#polling) return;
      const problem = error instanceof Error ? error.message : String(error);
      if (/401/.test(problem)) {
        this.#polling = false;
        this.connection = { state: 'unauthorized' };
        return;
      }
      this.connection = { state: 'polling', problem };
    }
    this.#poll = setTimeout(() => void this.#pollOnce(), this.#timers.pollMs);
  }
}

/** The monitor's API on this page's origin. */
export function fleetTransport(baseUrl: string, token: string): FleetTransport {
  return {
    async fetchFleet() {
      const answer = await fetch(`${baseUrl}/api/fleet`, { headers: { authorization: `Bearer ${token}` } });
      if (!answer.ok) throw new Error(`the monitor answered ${answer.status}`);
      return (await answer.json()) as FleetView;
    },
    openLive() {
      const url = new URL('/api/fleet/live', baseUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return new WebSocket(url);
    },
  };
}
