/**
 * The dashboard's one way to a node: its HTTP API (contract.md) and the `/api/live` WebSocket.
 * Runs in a browser (or the Electron window); imports node-core's DTOs as types only (style.md 1, 2).
 *
 * Errors are never bare: every failure is an `ApiError` with the HTTP status (0 when the node did not
 * answer at all), the API's stable code and its message.
 */
import type {
  AlarmView,
  CertificateRecord,
  CertificateState,
  CommandAnswer,
  EventKind,
  FailoverEvent,
  HistoryView,
  LoginAnswer,
  NodeSettings,
  SettingsSaved,
  SettingsView,
  Status,
  StatusView,
  TagDefinitionView,
  TagValueView,
} from '../../../node-core/dto.ts';

/** What the screens keep of a failure: plain data, so it can sit in `$state`. */
export interface ApiProblem {
  /** HTTP status; 0 when no answer came (node down, network, timeout). */
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export class ApiError extends Error implements ApiProblem {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  toProblem(): ApiProblem {
    return { status: this.status, code: this.code, message: this.message };
  }
}

/** Any thrown value as an `ApiProblem` (what state classes store). */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.toProblem();
  const message = error instanceof Error ? error.message : String(error);
  return { status: 0, code: 'CLIENT', message };
}

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

export interface ClientTimers {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  now(): number;
  random(): number;
}

export interface ApiClientOptions {
  /** Where the node's API is, e.g. `http://127.0.0.1:8088`; the page's own origin when served by the node. */
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch?: typeof fetch;
  readonly createSocket?: (url: string) => LiveSocket;
  readonly timers?: ClientTimers;
  /** Bound on one request. The switch-over waits for the hand-over, so it gets the longer bound. */
  readonly requestTimeoutMs?: number;
  readonly switchoverTimeoutMs?: number;
  /** While the live socket is down, status and events are fetched this often. */
  readonly pollIntervalMs?: number;
  /** Reconnect backoff: first delay, doubled per failed attempt up to the maximum, with ±25 % jitter. */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
}

export const CLIENT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  switchoverTimeoutMs: 20_000,
  pollIntervalMs: 2_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 30_000,
  /** How many of the newest events the polling fallback fetches to find new ones. */
  pollEventLimit: 50,
} as const;

/** The close code node-core's `/api/live` uses for a missing or wrong token. */
export const LIVE_CLOSE_UNAUTHORIZED = 4401;

export interface EventQuery {
  readonly limit?: number;
  readonly kinds?: readonly EventKind[];
}

export interface CertificateDecision {
  readonly fingerprint: string;
  readonly state: CertificateState;
}

export interface SwitchoverAnswer {
  readonly requested: boolean;
  readonly status: Status;
}

/** `GET /api/history/{tag}`: the range and how many points at most (more samples answer buckets). */
export interface HistoryQuery {
  readonly from: string;
  readonly to: string;
  readonly maxPoints: number;
}

export interface CsvDownload {
  readonly blob: Blob;
  readonly filename: string;
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
}

export interface LiveSubscription {
  close(): void;
}

/** What the state classes need of a client; component tests give a fake of exactly this. */
export interface DashboardApi {
  status(): Promise<StatusView>;
  events(query?: EventQuery): Promise<FailoverEvent[]>;
  eventsCsv(query?: EventQuery): Promise<CsvDownload>;
  certificates(): Promise<CertificateRecord[]>;
  approveCertificate(fingerprint: string): Promise<CertificateDecision>;
  rejectCertificate(fingerprint: string): Promise<CertificateDecision>;
  switchover(): Promise<SwitchoverAnswer>;
  tagDefinitions(): Promise<TagDefinitionView[]>;
  tagValues(): Promise<TagValueView[]>;
  /** `uid` makes a retry safe: the node runs a given uid at most once and answers repeats with the first result. */
  writeTag(name: string, value: number | boolean | string, uid: string): Promise<CommandAnswer>;
  alarms(): Promise<AlarmView[]>;
  ackAlarm(id: string, by: string, uid: string): Promise<CommandAnswer>;
  history(tag: string, query: HistoryQuery): Promise<HistoryView>;
  /** This node's settings (in effect, and saved for the next start). */
  settings(): Promise<SettingsView>;
  /** Saves settings for the next start; a wrong field is an `ApiError` 400 naming it. */
  saveSettings(settings: SettingsChange): Promise<SettingsSaved>;
  live(handlers: LiveHandlers): LiveSubscription;
}

/** What `PUT /api/settings` takes: any of the settings, and any of the timing fields. */
export type SettingsChange = Partial<Omit<NodeSettings, 'timing'>> & {
  readonly timing?: Partial<NodeSettings['timing']>;
};

const browserTimers: ClientTimers = {
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (id) => window.clearTimeout(id),
  now: () => Date.now(),
  random: () => Math.random(),
};

export class ApiClient implements DashboardApi {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #createSocket: (url: string) => LiveSocket;
  readonly #timers: ClientTimers;
  readonly #requestTimeoutMs: number;
  readonly #switchoverTimeoutMs: number;
  readonly #live: LiveOptions;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.#timers = options.timers ?? browserTimers;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs;
    this.#switchoverTimeoutMs = options.switchoverTimeoutMs ?? CLIENT_DEFAULTS.switchoverTimeoutMs;
    this.#live = {
      pollIntervalMs: options.pollIntervalMs ?? CLIENT_DEFAULTS.pollIntervalMs,
      reconnectInitialMs: options.reconnectInitialMs ?? CLIENT_DEFAULTS.reconnectInitialMs,
      reconnectMaxMs: options.reconnectMaxMs ?? CLIENT_DEFAULTS.reconnectMaxMs,
    };
  }

  status(): Promise<StatusView> {
    return this.#json<StatusView>('GET', '/api/status');
  }

  events(query: EventQuery = {}): Promise<FailoverEvent[]> {
    return this.#json<FailoverEvent[]>('GET', `/api/events${eventSearch(query)}`);
  }

  async eventsCsv(query: EventQuery = {}): Promise<CsvDownload> {
    const response = await this.#request(
      'GET',
      `/api/events.csv${eventSearch(query)}`,
      this.#requestTimeoutMs,
    );
    const blob = await response.blob();
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'tandem-events.csv';
    return { blob, filename };
  }

  certificates(): Promise<CertificateRecord[]> {
    return this.#json<CertificateRecord[]>('GET', '/api/certificates');
  }

  approveCertificate(fingerprint: string): Promise<CertificateDecision> {
    return this.#json<CertificateDecision>(
      'POST',
      `/api/certificates/${encodeURIComponent(fingerprint)}/approve`,
    );
  }

  rejectCertificate(fingerprint: string): Promise<CertificateDecision> {
    return this.#json<CertificateDecision>(
      'POST',
      `/api/certificates/${encodeURIComponent(fingerprint)}/reject`,
    );
  }

  switchover(): Promise<SwitchoverAnswer> {
    return this.#json<SwitchoverAnswer>('POST', '/api/redundancy/switchover', this.#switchoverTimeoutMs);
  }

  tagDefinitions(): Promise<TagDefinitionView[]> {
    return this.#json<TagDefinitionView[]>('GET', '/api/config/tags');
  }

  tagValues(): Promise<TagValueView[]> {
    return this.#json<TagValueView[]>('GET', '/api/tags');
  }

  writeTag(name: string, value: number | boolean | string, uid: string): Promise<CommandAnswer> {
    return this.#json<CommandAnswer>('POST', `/api/tags/${encodeURIComponent(name)}/write`, undefined, {
      value,
      uid,
    });
  }

  alarms(): Promise<AlarmView[]> {
    return this.#json<AlarmView[]>('GET', '/api/alarms');
  }

  ackAlarm(id: string, by: string, uid: string): Promise<CommandAnswer> {
    return this.#json<CommandAnswer>('POST', `/api/alarms/${encodeURIComponent(id)}/ack`, undefined, {
      by,
      uid,
    });
  }

  history(tag: string, query: HistoryQuery): Promise<HistoryView> {
    const search = new URLSearchParams({
      from: query.from,
      to: query.to,
      maxPoints: String(query.maxPoints),
    });
    return this.#json<HistoryView>('GET', `/api/history/${encodeURIComponent(tag)}?${search.toString()}`);
  }

  settings(): Promise<SettingsView> {
    return this.#json<SettingsView>('GET', '/api/settings');
  }

  saveSettings(settings: SettingsChange): Promise<SettingsSaved> {
    return this.#json<SettingsSaved>('PUT', '/api/settings', undefined, settings);
  }

  /** Status and events pushed by the node; reconnects with backoff and polls while the socket is down. */
  live(handlers: LiveHandlers): LiveSubscription {
    const subscription = new LiveChannel(
      liveUrl(this.#baseUrl),
      this.#token,
      this.#createSocket,
      this.#timers,
      this.#live,
      { status: () => this.status(), events: () => this.events({ limit: CLIENT_DEFAULTS.pollEventLimit }) },
      handlers,
    );
    subscription.start();
    return subscription;
  }

  async #json<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    timeoutMs = this.#requestTimeoutMs,
    body?: unknown,
  ): Promise<T> {
    const response = await this.#request(method, path, timeoutMs, body);
    try {
      return (await response.json()) as T;
    } catch (cause) {
      throw new ApiError(
        response.status,
        'BAD_RESPONSE',
        `the node answered ${path} with something that is not JSON`,
        {
          cause,
        },
      );
    }
  }

  async #request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    timeoutMs: number,
    body?: unknown,
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = this.#timers.setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json, text/csv',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: controller.signal,
        cache: 'no-store',
      });
    } catch (cause) {
      throw controller.signal.aborted
        ? new ApiError(0, 'TIMEOUT', `the node did not answer within ${Math.round(timeoutMs / 1000)} s`, {
            cause,
          })
        : new ApiError(0, 'UNREACHABLE', 'the node is not answering', { cause });
    } finally {
      this.#timers.clearTimeout(timer);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
}

/**
 * `POST /api/login`: an operator's name and password for a session token (no token needed to ask).
 * A wrong name or password is an `ApiError` 401, too many failures one of 429.
 */
export async function login(
  baseUrl: string,
  name: string,
  password: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<LoginAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name, password }),
      cache: 'no-store',
    });
  } catch (cause) {
    throw new ApiError(0, 'UNREACHABLE', 'the node is not answering', { cause });
  }
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as LoginAnswer;
}

/** Builds the `{status, code, message}` error from an API answer of `{ error: { code, message } }`. */
async function errorFrom(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `the node answered ${response.status}`;
  try {
    const body: unknown = await response.json();
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
    if (error && typeof error['code'] === 'string') code = error['code'];
    if (error && typeof error['message'] === 'string') message = error['message'];
  } catch {
    // Not JSON (a proxy's page, an empty body): keep the HTTP status as the message.
  }
  return new ApiError(response.status, code, message);
}

function eventSearch(query: EventQuery): string {
  const params = new URLSearchParams();
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.kinds && query.kinds.length > 0) params.set('kind', query.kinds.join(','));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `http(s)://host/…` → `ws(s)://host/api/live`. */
export function liveUrl(baseUrl: string): string {
  const url = new URL('/api/live', baseUrl || globalThis.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface LiveOptions {
  readonly pollIntervalMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
}

interface PollSource {
  status(): Promise<StatusView>;
  events(): Promise<FailoverEvent[]>;
}

/** A parsed `/api/live` message; anything else is ignored. */
type LiveMessage =
  | { type: 'status'; status: StatusView }
  | { type: 'event'; event: FailoverEvent }
  | { type: 'values'; values: TagValueView[] }
  | { type: 'alarms'; alarms: AlarmView[] };

export function parseLiveMessage(text: string): LiveMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value['type'] === 'status' && isRecord(value['status']) && isRecord(value['status']['node'])) {
    return { type: 'status', status: value['status'] as unknown as StatusView };
  }
  if (value['type'] === 'event' && isRecord(value['event']) && typeof value['event']['id'] === 'string') {
    return { type: 'event', event: value['event'] as unknown as FailoverEvent };
  }
  if (value['type'] === 'values' && Array.isArray(value['values'])) {
    const values = (value['values'] as unknown[]).filter(
      (v): v is TagValueView => isRecord(v) && typeof v['name'] === 'string',
    );
    return { type: 'values', values };
  }
  if (value['type'] === 'alarms' && Array.isArray(value['alarms'])) {
    const alarms = (value['alarms'] as unknown[]).filter(
      (a): a is AlarmView => isRecord(a) && typeof a['id'] === 'string',
    );
    return { type: 'alarms', alarms };
  }
  return null;
}

const SOCKET_OPEN = 1;

/**
 * One live subscription. Its `readyState` says what it is doing; it owns exactly two timers (the reconnect
 * and the poll), both cleared on `close()`, which is idempotent.
 */
class LiveChannel implements LiveSubscription {
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
      socket.send(JSON.stringify({ type: 'auth', token: this.#token }));
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
    const base = Math.min(
      this.#options.reconnectMaxMs,
      this.#options.reconnectInitialMs * 2 ** this.#attempt,
    );
    const delay = Math.round(base * (0.75 + this.#timers.random() * 0.5));
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
