/**
 * The pair's operator accounts on the API (docs/auth.md): list, add, remove. Accounts are config, so adding
 * and removing happen on the active node; a standby answers NOT_ACTIVE (the screen then says where the
 * running node is, as for every change).
 */
import type { AccountView } from '../../../node-core/dto.ts';
import { ApiError, errorFrom, isRedirect, notActive } from './api-error.ts';

export interface AccountsApi {
  list(): Promise<AccountView[]>;
  add(name: string, password: string): Promise<AccountView>;
  remove(name: string): Promise<void>;
}

export class AccountsClient implements AccountsApi {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, token: string, fetchImpl?: typeof fetch) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  async list(): Promise<AccountView[]> {
    return (await (await this.#request('GET', '/api/users')).json()) as AccountView[];
  }

  async add(name: string, password: string): Promise<AccountView> {
    return (await (await this.#request('POST', '/api/users', { name, password })).json()) as AccountView;
  }

  async remove(name: string): Promise<void> {
    await this.#request('DELETE', `/api/users/${encodeURIComponent(name)}`);
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        redirect: 'manual',
      });
    } catch (cause) {
      throw new ApiError(0, 'UNREACHABLE', 'the node is not answering', { cause });
    }
    if (isRedirect(response)) throw await notActive(response);
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
}
