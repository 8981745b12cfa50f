/**
 * The `/api/live` WebSocket as one subscription: status, events, values and alarms pushed by the node;
 * reconnects with backoff and polls status and events while the socket is down.
 */
import type {
  AlarmView,
  ConfigKind,
  FailoverEvent,
  StatusView,
  TagValueView,
} from '../../../node-core/dto.ts';
// The messages and the close code are the wire protocol's (node-core/protocol/), run here as they are on the node.
import type { LiveAuthMessage } from '../../../node-core/protocol/live-messages.ts';
import { parseLiveMessage } from '../../../node-core/protocol/live-messages.ts';
import { LIVE_CLOSE_UNAUTHORIZED } from '../../../node-core/protocol/close-codes.ts';
import { backoffDelay } from '../../../node-core/protocol/backoff.ts';
import { toProblem, type ApiProblem } from './api-error.ts';

/** The part of a browser WebSocket the live subscription uses (the real one fits; tests pass a fake). */
export interface LiveSocket {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The timers and randomness the client uses (tests pass a manual clock). */
export interface ClientTimers {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  now(): number;
  random(): number;
}

/** The live connection, as the screens show it. */
export type LiveConnection =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'live'; readonly since: number }
  | {
      readonly state: 'unavailable';
      readonly reason: string;
      /** When the next connection attempt starts (ms since epoch). */
      readonly retryAt: number;
      readonly attempt: number;
    }
  | { readonly state: 'unauthorized'; readonly reason: string }
  | { readonly state: 'closed' };

export interface LiveHandlers {
  status(status: StatusView): void;
  event(event: FailoverEvent): void;
  connection(connection: LiveConnection): void;
  /** The polling fallback could not reach the node either. */
  error(problem: ApiProblem): void;
  /** Tag values that changed (the node batches them, at most one entry per tag per batch). */
  values?(values: TagValueView[]): void;
  /** Every alarm's state, after any of them changed. */
  alarms?(alarms: AlarmView[]): void;
  /** Which kinds of config changed (tags, devices, alarm rules), at most once per batch of changes. */
  config?(kinds: ConfigKind[]): void;
}

export interface LiveSubscription {
  close(): void;
}

/** `http(s)://host/…` → `ws(s)://host/api/live`. */
export function liveUrl(baseUrl: string): string {
  const url = new URL('/api/live', baseUrl || globalThis.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export interface LiveOptions {
  readonly pollIntervalMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
}

interface PollSource {
  status(): Promise<StatusView>;
  events(): Promise<FailoverEvent[]>;
}

const SOCKET_OPEN = 1;

/**
 * One live subscription. Its `readyState` says what it is doing; it owns exactly two timers (the reconnect
 * and the poll), both cleared on `close()`, which is idempotent.
 */
export class LiveChannel implements LiveSubscription {
  #readyState: 'idle' | 'connecting' | 'live' | 'waiting' | 'unauthorized' | 'closed' = 'idle';
  #socket: LiveSocket | null = null;
  #attempt = 0;
  #reconnectTimer: number | null = null;
  #pollTimer: number | null = null;
  #polling = false;
  /** Ids of the newest events the last poll saw, so a poll reports only what is new. */
  #seenEventIds: Set<string> | null = null;

  readonly #url: string;
  readonly #token: string;
  readonly #createSocket: (url: string) => LiveSocket;
  readonly #timers: ClientTimers;
  readonly #options: LiveOptions;
  readonly #poll: PollSource;
  readonly #handlers: LiveHandlers;

  constructor(
    url: string,
    token: string,
    createSocket: (url: string) => LiveSocket,
    timers: ClientTimers,
    options: LiveOptions,
    poll: PollSource,
    handlers: LiveHandlers,
  ) {
    this.#url = url;
    this.#token = token;
    this.#createSocket = createSocket;
    this.#timers = timers;
    this.#options = options;
    this.#poll = poll;
    this.#handlers = handlers;
  }

  start(): void {
    if (this.#readyState !== 'idle') return;
    this.#connect();
  }

  close(): void {
    if (this.#readyState === 'closed') return;
    this.#readyState = 'closed';
    this.#clearReconnect();
    this.#stopPolling();
    this.#dropSocket();
    this.#handlers.connection({ state: 'closed' });
  }

  #connect(): void {
    if (this.#readyState === 'closed' || this.#readyState === 'unauthorized') return;
    this.#readyState = 'connecting';
    this.#handlers.connection({ state: 'connecting', attempt: this.#attempt });
    let socket: LiveSocket;
    try {
      socket = this.#createSocket(this.#url);
    } catch (error) {
      this.#lost(error instanceof Error ? error.message : 'cannot open the live connection');
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      const auth: LiveAuthMessage = { type: 'auth', token: this.#token };
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket || typeof event.data !== 'string') return;
      const message = parseLiveMessage(event.data);
      if (!message) return;
      switch (message.type) {
        case 'status':
          if (this.#readyState !== 'live') this.#becameLive();
          this.#handlers.status(message.status);
          break;
        case 'event':
          this.#handlers.event(message.event);
          break;
        case 'values':
          this.#handlers.values?.(message.values);
          break;
        case 'alarms':
          this.#handlers.alarms?.(message.alarms);
          break;
        case 'config':
          this.#handlers.config?.(message.kinds);
          break;
      }
    };
    socket.onerror = () => {
      // A close always follows; the reason is decided there.
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (event.code === LIVE_CLOSE_UNAUTHORIZED) {
        this.#unauthorized(event.reason || 'the node did not accept the token');
        return;
      }
      this.#lost(event.reason || 'the live connection closed');
    };
  }

  #becameLive(): void {
    this.#readyState = 'live';
    this.#attempt = 0;
    this.#stopPolling();
    this.#handlers.connection({ state: 'live', since: this.#timers.now() });
  }

  #lost(reason: string): void {
    if (this.#readyState === 'closed' || this.#readyState === 'unauthorized') return;
    this.#readyState = 'waiting';
    const { reconnectInitialMs: baseMs, reconnectMaxMs: maxMs } = this.#options;
    const delay = backoffDelay({ baseMs, maxMs, random: () => this.#timers.random() }, this.#attempt);
    this.#attempt += 1;
    this.#handlers.connection({
      state: 'unavailable',
      reason,
      retryAt: this.#timers.now() + delay,
      attempt: this.#attempt,
    });
    this.#clearReconnect();
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
    this.#startPolling();
  }

  #unauthorized(reason: string): void {
    this.#readyState = 'unauthorized';
    this.#clearReconnect();
    this.#stopPolling();
    this.#dropSocket();
    this.#handlers.connection({ state: 'unauthorized', reason });
  }

  #startPolling(): void {
    if (this.#polling) return;
    this.#polling = true;
    void this.#pollOnce();
  }

  #stopPolling(): void {
    this.#polling = false;
    if (this.#pollTimer !== null) this.#timers.clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  async #pollOnce(): Promise<void> {
    if (!this.#polling) return;
    try {
      const [status, events] = await Promise.all([this.#poll.status(), this.#poll.events()]);
      if (!this.#polling) return;
      this.#handlers.status(status);
      const seen = this.#seenEventIds;
      for (const event of [...events].reverse()) if (!seen?.has(event.id)) this.#handlers.event(event);
      this.#seenEventIds = new Set(events.map((e) => e.id));
    } catch (error) {
      if (!this.#polling) return;
      const problem = toProblem(error);
      if (problem.status === 401) {
        this.#unauthorized(problem.message);
        return;
      }
      this.#handlers.error(problem);
    }
    if (!this.#polling) return;
    this.#pollTimer = this.#timers.setTimeout(() => {
      this.#pollTimer = null;
      void this.#pollOnce();
    }, this.#options.pollIntervalMs);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== null) this.#timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onerror = null;
    socket.onclose = null;
    if (socket.readyState <= SOCKET_OPEN) socket.close(1000, 'dashboard closed');
  }
}
