/**
 * The running node of a data directory, as `tandem-node user …` reaches it: its API at the address it last
 * started on (kept in its database), asked with its admin token. A node that does not answer there is not
 * running: the accounts are then written into its database (auth/offline-accounts.ts). A node that answers
 * but is not this folder's (another node took the port) counts as not running too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TandemError } from '../errors.ts';
import type { Db } from '../store/index.ts';
import { MetaStore } from '../store/index.ts';
import { ADMIN_TOKEN_FILE, RUNNING_API_KEY } from '../node/create-node.ts';

/** How long the CLI waits for the node's answer: an account change waits for the peer to store it. */
const NODE_API_TIMEOUT_MS = 30_000;

export interface NodeApi {
  readonly url: string;
  request(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** The API of this data directory's node if it runs, else null. */
export async function runningNodeApi(db: Db, dataDir: string): Promise<NodeApi | null> {
  const meta = new MetaStore(db);
  const url = meta.get(RUNNING_API_KEY);
  const token = process.env['TANDEM_ADMIN_TOKEN'] || readToken(dataDir);
  if (!url || !token) return null;
  const api: NodeApi = {
    url,
    request: async (method, route, body) => {
      const response = await fetch(new URL(route, url), {
        method,
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(NODE_API_TIMEOUT_MS),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? (JSON.parse(text) as unknown) : null;
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed };
    },
  };
  let status: { status: number; body: unknown };
  try {
    status = await api.request('GET', '/api/status');
  } catch {
    return null;
  }
  const nodeId = (status.body as { node?: { nodeId?: unknown } } | null)?.node?.nodeId;
  return status.status === 200 && nodeId === meta.nodeId() ? api : null;
}

/** The message of an API error answer, for the CLI's one line. */
export function answerMessage(answer: { status: number; body: unknown }): string {
  const error = (answer.body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : `the node answered ${answer.status}`;
}

/** A standby sends account changes to the active node: the CLI names it rather than follow. */
export function notActive(answer: { status: number; body: unknown }): TandemError {
  return new TandemError(
    'NOT_ACTIVE',
    `${answerMessage(answer)}: the pair's accounts change on the active node; run this there, or use its dashboard`,
  );
}

function readToken(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}
