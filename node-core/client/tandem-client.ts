/**
 * The client library (Node and browsers): knows both nodes of a pair, follows a standby's 307 to the active
 * node, fails over to the other node when one cannot be reached, and retries action commands with the
 * same uid, so a retry after a failover is answered with the first result instead of running twice.
 * Uses only the standard `fetch` and `WebSocket`, so it runs unchanged in a browser.
 */
import type { CommandAnswer } from '../protocol/api-dto.ts';
import { parseLiveMessage, type LiveAuthMessage, type LiveMessage } from '../protocol/live-messages.ts';
import { BackoffSchedule, backoffDelay } from '../protocol/backoff.ts';

// The live messages are the wire protocol's (protocol/live-messages.ts).
export type { LiveMessage };

export interface ClientOptions {
  /** Base URLs of both nodes' APIs, e.g. `http://10.0.0.11:8088`. */
  readonly nodes: readonly string[];
  /** One token for both nodes, or one per node address. */
  readonly token: string | Readonly<Record<string, string>>;
  /** How many times one call goes around the nodes before it gives up. */
  readonly rounds?: number;
  /**
   * First pause between rounds, so a failover in progress can finish; it doubles with every round (and every
   * failed live reconnect) up to `maxRetryDelayMs`, spread by ±25 % (backoff.ts).
   */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The random source of the spread (Math.random by default; tests pass their own). */
  readonly random?: () => number;
  readonly makeUid?: () => string;
}

export class TandemClientError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TandemClientError';
    this.status = status;
    this.code = code;
  }
}

/** The answer to an action command (tag write, alarm acknowledgement): the API's `CommandAnswer`. */
export type CommandResult = CommandAnswer;

const MAX_REDIRECTS = 3;

export class TandemClient {
  readonly #o: Required<ClientOptions>;
  #current = 0;

  constructor(options: ClientOptions) {
    if (options.nodes.length === 0) throw new TypeError('nodes: give at least one node address');
    const nodes = options.nodes.map((n) => n.replace(/\/+$/, ''));
    const token =
      typeof options.token === 'string'
        ? options.token
        : Object.fromEntries(Object.entries(options.token).map(([k, v]) => [k.replace(/\/+$/, ''), v]));
    this.#o = {
      rounds: 5,
      retryDelayMs: 500,
      maxRetryDelayMs: 8000,
      random: Math.random,
      fetch: globalThis.fetch.bind(globalThis),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      makeUid: () => globalThis.crypto.randomUUID(),
      ...options,
      nodes,
      token,
    };
  }

  /** The node the client talks to now. */
  get currentNode(): string {
    return this.#o.nodes[this.#current]!;
  }

  status<T = unknown>(): Promise<T> {
    return this.request<T>('GET', '/api/status');
  }

  readTag<T = { name: string; value: unknown; quality: string; ts: string | null }>(
    name: string,
  ): Promise<T> {
    return this.request<T>('GET', `/api/tags/${encodeURIComponent(name)}`);
  }

  /** Writes once per pair: every retry, to whichever node, carries the same uid. */
  writeTag(
    name: string,
    value: number | boolean | string,
    uid: string = this.#o.makeUid(),
  ): Promise<CommandResult> {
    return this.request<CommandResult>('POST', `/api/tags/${encodeURIComponent(name)}/write`, { value, uid });
  }

  ackAlarm(id: string, by: string, uid: string = this.#o.makeUid()): Promise<CommandResult> {
    return this.request<CommandResult>('POST', `/api/alarms/${encodeURIComponent(id)}/ack`, { by, uid });
  }

  putTag(name: string, definition: object): Promise<unknown> {
    return this.request('PUT', `/api/config/tags/${encodeURIComponent(name)}`, definition);
  }

  /**
   * One call: on the current node, following 307s; on a network error or 503 (no active node yet) it moves
   * to the next node, and after each round around the pair it waits before trying again.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let lastError: unknown = null;
    for (let round = 0; round < this.#o.rounds; round++) {
      for (let tried = 0; tried < this.#o.nodes.length; tried++) {
        try {
          return await this.#send<T>(this.currentNode, method, path, body, 0);
        } catch (error) {
          if (!(error instanceof Unavailable)) throw error;
          lastError = error.cause ?? error;
          this.#current = (this.#current + 1) % this.#o.nodes.length;
        }
      }
      if (round < this.#o.rounds - 1) await this.#o.sleep(this.#retryDelay(round));
    }
    throw new TandemClientError(0, 'UNREACHABLE', `no node of the pair answered ${method} ${path}`, {
      cause: lastError,
    });
  }

  /** Live status, events, values and alarms; moves to the other node when the socket closes. Returns a stop function. */
  subscribe(
    onMessage: (message: LiveMessage) => void,
    onState?: (connected: boolean, node: string) => void,
  ): () => void {
    let stopped = false;
    let socket: WebSocket | null = null;
    const backoff = new BackoffSchedule({
      baseMs: this.#o.retryDelayMs,
      maxMs: this.#o.maxRetryDelayMs,
      random: this.#o.random,
    });
    const connect = (): void => {
      if (stopped) return;
      const url = this.currentNode.replace(/^http/, 'ws') + '/api/live';
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => {
        backoff.reset();
        const auth: LiveAuthMessage = { type: 'auth', token: this.#tokenFor(this.currentNode) };
        ws.send(JSON.stringify(auth));
        onState?.(true, this.currentNode);
      };
      ws.onmessage = (event: MessageEvent) => {
        // A message this client does not understand is skipped, not fatal.
        const message = parseLiveMessage(String(event.data));
        if (message) onMessage(message);
      };
      ws.onclose = () => {
        onState?.(false, this.currentNode);
        if (stopped) return;
        this.#current = (this.#current + 1) % this.#o.nodes.length;
        void this.#o.sleep(backoff.next()).then(connect);
      };
    };
    connect();
    return () => {
      stopped = true;
      socket?.close();
    };
  }

  #retryDelay(attempt: number): number {
    const { retryDelayMs: baseMs, maxRetryDelayMs: maxMs, random } = this.#o;
    return backoffDelay({ baseMs, maxMs, random }, attempt);
  }

  #tokenFor(node: string): string {
    const token = this.#o.token;
    return typeof token === 'string' ? token : (token[node] ?? '');
  }

  async #send<T>(base: string, method: string, path: string, body: unknown, redirects: number): Promise<T> {
    let response: Response;
    try {
      response = await this.#o.fetch(base + path, {
        method,
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${this.#tokenFor(base)}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new Unavailable(error);
    }
    if (response.status === 307 || response.status === 308) {
      const location = response.headers.get('location');
      if (!location || redirects >= MAX_REDIRECTS)
        throw new Unavailable(new Error('redirect without a usable Location'));
      const target = new URL(location);
      const known = this.#o.nodes.indexOf(target.origin);
      if (known >= 0) this.#current = known;
      return this.#send<T>(target.origin, method, target.pathname + target.search, body, redirects + 1);
    }
    if (response.status === 503) throw new Unavailable(new Error(await response.text()));
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const problem = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new TandemClientError(
        response.status,
        problem?.code ?? 'ERROR',
        problem?.message ?? `${response.status} ${response.statusText}`,
      );
    }
    return parsed as T;
  }
}

/** This node cannot serve the call now; the next node may. */
class Unavailable extends Error {
  constructor(cause: unknown) {
    super('node unavailable', { cause });
  }
}
