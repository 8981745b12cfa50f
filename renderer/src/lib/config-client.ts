/**
 * The pair's configuration on the API (docs/contract.md): devices, tag definitions and alarm rules, each
 * listed, written (`PUT`, or `POST` of many at once) and deleted. Changes happen on the active node only; a
 * standby answers NOT_ACTIVE, and the screen says where the running node is instead of offering them.
 */
import type { ConfigKind } from '../../../node-core/dto.ts';
import { ApiError, isRecord } from './api-error.ts';
import { apiRequest, apiTarget, type ApiTarget } from './api-request.ts';

/** The kinds an installer edits in the dashboard, and their routes. */
export type EditedKind = Extract<ConfigKind, 'device' | 'tag' | 'alarm-rule'>;
const CONFIG_ROUTES: Readonly<Record<EditedKind, string>> = {
  device: 'devices',
  tag: 'tags',
  'alarm-rule': 'alarm-rules',
};

/** An item as the API lists it: its name and its definition's fields. */
export type ConfigItem = { readonly name: string } & Readonly<Record<string, unknown>>;

/** One item of a bulk write the node refused, by its place in the list (from 0), with the API's message. */
export interface ItemProblem {
  readonly index: number;
  readonly message: string;
}

/** A bulk write the node refused because of its items: nothing was written. */
export class ItemsRefused extends ApiError {
  readonly items: readonly ItemProblem[];
  constructor(message: string, items: readonly ItemProblem[]) {
    super(400, 'BAD_REQUEST', message);
    this.items = items;
  }
}

export interface ConfigApi {
  list(kind: EditedKind): Promise<ConfigItem[]>;
  /** Creates or replaces one item; a bad field is an `ApiError` 400 naming it (`port: must be 1–65535`). */
  put(kind: EditedKind, name: string, definition: object): Promise<void>;
  remove(kind: EditedKind, name: string): Promise<void>;
  /** Writes all or none: a bad item is an `ItemsRefused` listing every bad one. */
  putAll(kind: EditedKind, items: readonly ConfigItem[]): Promise<number>;
}

export class ConfigClient implements ConfigApi {
  readonly #target: ApiTarget;

  constructor(baseUrl: string, token: string, fetchImpl?: typeof fetch) {
    this.#target = apiTarget(baseUrl, token, fetchImpl);
  }

  async list(kind: EditedKind): Promise<ConfigItem[]> {
    return (await (await apiRequest(this.#target, 'GET', route(kind))).json()) as ConfigItem[];
  }

  async put(kind: EditedKind, name: string, definition: object): Promise<void> {
    await apiRequest(this.#target, 'PUT', `${route(kind)}/${encodeURIComponent(name)}`, definition);
  }

  async remove(kind: EditedKind, name: string): Promise<void> {
    await apiRequest(this.#target, 'DELETE', `${route(kind)}/${encodeURIComponent(name)}`);
  }

  async putAll(kind: EditedKind, items: readonly ConfigItem[]): Promise<number> {
    const answer = await apiRequest(this.#target, 'POST', route(kind), { items }, itemsRefused);
    const body = (await answer.json()) as { written: number };
    return body.written;
  }
}

function route(kind: EditedKind): string {
  return `/api/config/${CONFIG_ROUTES[kind]}`;
}

/** The 400 of a bulk write, with its list of bad items; null for any other failure. */
async function itemsRefused(response: Response): Promise<Error | null> {
  if (response.status !== 400) return null;
  try {
    const body: unknown = await response.json();
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
    const items = error?.['items'];
    if (!error || !Array.isArray(items)) return null;
    const problems = items.filter(isRecord).map((item) => ({
      index: Number(item['index']),
      message: String(item['message']),
    }));
    return new ItemsRefused(String(error['message']), problems);
  } catch {
    return null;
  }
}
