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
  CommandAnswer,
  ConflictDiscarded,
  ConflictReapplied,
  ConflictView,
  FailoverEvent,
  HistoryView,
  LoginAnswer,
  LogoutAnswer,
  SettingsSaved,
  SettingsView,
  StatusView,
  TagDefinitionView,
  TagValueView,
} from '../../../node-core/dto.ts';
import { ApiError, errorFrom, isRedirect, notActive } from './api-error.ts';
import type {
  CertificateDecision,
  CsvDownload,
  DashboardApi,
  EventQuery,
  HistoryQuery,
  SettingsChange,
  SwitchoverAnswer,
} from './dashboard-api.ts';
import {
  LiveChannel,
  liveUrl,
  type ClientTimers,
  type LiveHandlers,
  type LiveOptions,
  type LiveSocket,
  type LiveSubscription,
} from './live-channel.ts';

// One module for the screens to import from: the errors, the live channel and the API's shapes are parts of
// this client.
export { ApiError, toProblem, type ApiProblem } from './api-error.ts';
export type * from './dashboard-api.ts';
export {
  liveUrl,
  type ClientTimers,
  type LiveConnection,
  type LiveHandlers,
  type LiveSocket,
  type LiveSubscription,
} from './live-channel.ts';

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

const CLIENT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  switchoverTimeoutMs: 20_000,
  pollIntervalMs: 2_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 30_000,
  /** How many of the newest events the polling fallback fetches to find new ones. */
  pollEventLimit: 50,
} as const;

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

  conflicts(): Promise<ConflictView[]> {
    return this.#json<ConflictView[]>('GET', '/api/config/conflicts');
  }

  reapplyConflict(id: string): Promise<ConflictReapplied> {
    return this.#json<ConflictReapplied>('POST', `/api/config/conflicts/${encodeURIComponent(id)}/reapply`);
  }

  discardConflict(id: string): Promise<ConflictDiscarded> {
    return this.#json<ConflictDiscarded>('DELETE', `/api/config/conflicts/${encodeURIComponent(id)}`);
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
    method: HttpMethod,
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

  async #request(method: HttpMethod, path: string, timeoutMs: number, body?: unknown): Promise<Response> {
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
        // A standby answers a change with 307 to the active node's API: followed, the browser would send it
        // to another origin without the token (and without CORS), and the operator would read "not answering".
        redirect: 'manual',
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
    if (isRedirect(response)) throw await notActive(response);
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * `POST /api/login`: an operator's name and password for a session token (no token needed to ask).
 * A wrong name or password is an `ApiError` 401, too many failures one of 429.
 */
export function login(
  baseUrl: string,
  name: string,
  password: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<LoginAnswer> {
  return postSession<LoginAnswer>(baseUrl, '/api/login', fetchImpl, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
}

/**
 * `POST /api/logout`: ends the session of `token` on the node at once. A token that is no session any more
 * is an `ApiError` 401; the admin token one of 400 (it is no session and cannot be ended).
 */
export function logout(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<LogoutAnswer> {
  return postSession<LogoutAnswer>(baseUrl, '/api/logout', fetchImpl, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** A POST that opens or ends a session, made before or after there is a client for it. */
export async function postSession<T>(
  baseUrl: string,
  path: string,
  fetchImpl: typeof fetch,
  init: { headers: Record<string, string>; body?: string },
): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { ...init.headers, accept: 'application/json' },
      ...(init.body === undefined ? {} : { body: init.body }),
      cache: 'no-store',
    });
  } catch (cause) {
    throw new ApiError(0, 'UNREACHABLE', 'the node is not answering', { cause });
  }
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
}

function eventSearch(query: EventQuery): string {
  const params = new URLSearchParams();
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.kinds && query.kinds.length > 0) params.set('kind', query.kinds.join(','));
  const text = params.toString();
  return text ? `?${text}` : '';
}
