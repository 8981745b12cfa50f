/**
 * The pair's operator accounts on the API (docs/auth.md): list, add, remove. Accounts are config, so adding
 * and removing happen on the active node; a standby answers NOT_ACTIVE (the screen then says where the
 * running node is, as for every change).
 */
import type { AccountView } from '../../../node-core/dto.ts';
import { apiRequest, apiTarget, type ApiTarget } from './api-request.ts';

export interface AccountsApi {
  list(): Promise<AccountView[]>;
  add(name: string, password: string): Promise<AccountView>;
  remove(name: string): Promise<void>;
}

export class AccountsClient implements AccountsApi {
  readonly #target: ApiTarget;

  constructor(baseUrl: string, token: string, fetchImpl?: typeof fetch) {
    this.#target = apiTarget(baseUrl, token, fetchImpl);
  }

  async list(): Promise<AccountView[]> {
    return (await (await apiRequest(this.#target, 'GET', '/api/users')).json()) as AccountView[];
  }

  async add(name: string, password: string): Promise<AccountView> {
    const answer = await apiRequest(this.#target, 'POST', '/api/users', { name, password });
    return (await answer.json()) as AccountView;
  }

  async remove(name: string): Promise<void> {
    await apiRequest(this.#target, 'DELETE', `/api/users/${encodeURIComponent(name)}`);
  }
}
