/**
 * The monitor's config file (docs/monitor.md "Config file"): the pairs it watches, each with both nodes' API
 * addresses and credentials. A file that is not this shape is a usage error naming the field; a problem of
 * one pair that the file's shape allows (a name used twice) is that pair's problem only, shown on its tile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { Logger } from '../logging.ts';

const fingerprintPin = z
  .string()
  .transform((text) => text.replace(/:/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 fingerprint (64 hex digits, colons allowed)'));

const nodeEntry = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' })
      .transform((url) => url.replace(/\/+$/, '')),
    token: z.string().min(1, 'must not be empty').optional(),
    /** A file holding the token (a node's `admin-token`), relative to the config file. */
    tokenFile: z.string().min(1, 'must not be empty').optional(),
    /** The SHA-256 fingerprint of the node's TLS certificate, for an https:// address. */
    fingerprint: fingerprintPin.optional(),
  })
  .loose()
  .refine((node) => (node.token === undefined) !== (node.tokenFile === undefined), {
    message: 'needs either "token" or "tokenFile"',
  });

const pairEntry = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
    site: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').optional(),
    nodes: z.tuple([nodeEntry, nodeEntry], { error: 'must list the two nodes of the pair' }),
  })
  .loose();

const configSchema = z
  .object({
    pairs: z.array(pairEntry, { error: 'must be a list of pairs' }).min(1, 'must list at least one pair'),
  })
  .loose();

export interface WatchedNode {
  readonly url: string;
  /** Empty when the token is read from `tokenFile`. */
  readonly token: string;
  /**
   * The file holding the token (absolute), read at each connection attempt: a node installed after the monitor
   * started, or a token changed, needs no restart of the monitor.
   */
  readonly tokenFile: string | null;
  /** Lower-case hex, no colons; null: no pin (plain http, or the system's CAs decide). */
  readonly fingerprint: string | null;
}

export interface WatchedPair {
  /** Unique within the file: the name, with `#2`, `#3` appended to a name used again. */
  readonly key: string;
  readonly name: string;
  readonly site: string | null;
  readonly nodes: readonly [WatchedNode, WatchedNode];
  /** Why this pair is not watched (its name is taken by an earlier pair), or null. */
  readonly problem: string | null;
}

/** Reads and checks `file`; throws a UsageError naming the file and the field that is wrong. */
export function loadMonitorConfig(file: string): WatchedPair[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--config ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: error,
      },
    );
  }
  return parseMonitorConfig(text, file);
}

export function parseMonitorConfig(text: string, file: string): WatchedPair[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the file';
    throw new UsageError(`--config ${file}: ${where}: ${issue.message}`);
  }
  const seen = new Map<string, number>();
  return parsed.data.pairs.map((pair) => {
    const uses = (seen.get(pair.name) ?? 0) + 1;
    seen.set(pair.name, uses);
    const problems: string[] = [];
    if (uses > 1)
      problems.push(
        `pair name "${pair.name}" is used by an earlier pair in ${path.basename(file)}: this entry is not watched`,
      );
    const nodes = pair.nodes.map((node) => ({
      url: node.url,
      token: node.token ?? '',
      tokenFile: node.tokenFile === undefined ? null : path.resolve(path.dirname(file), node.tokenFile),
      fingerprint: node.fingerprint ?? null,
    })) as unknown as readonly [WatchedNode, WatchedNode];
    return {
      key: uses === 1 ? pair.name : `${pair.name}#${uses}`,
      name: pair.name,
      site: pair.site ?? null,
      nodes,
      problem: problems.length > 0 ? problems.join('; ') : null,
    };
  });
}

/**
 * Follows `file`: each time it changes, `apply` gets the pairs it names, or, when it cannot be read or is
 * malformed, the error is logged and nothing changes (the pairs of the last good file stay watched). Polled
 * (every `intervalMs`), so an editor that saves by replacing the file is followed too. Returns the stop.
 */
export function followMonitorConfig(
  file: string,
  apply: (pairs: WatchedPair[]) => void,
  logger: Logger,
  intervalMs = 1000,
): () => void {
  const listener = (now: fs.Stats, before: fs.Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    try {
      const pairs = loadMonitorConfig(file);
      apply(pairs);
      logger.info({ file, pairs: pairs.length }, `monitor config changed: watching ${pairs.length} pair(s)`);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      logger.error(
        { file },
        `monitor config changed but is not used: ${why}; the pairs it named before stay watched`,
      );
    }
  };
  fs.watchFile(file, { interval: intervalMs, persistent: false }, listener);
  return () => fs.unwatchFile(file, listener);
}
