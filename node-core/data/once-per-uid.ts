/**
 * The command side of "a uid runs once per pair" (docs/rules.md "Commands 1") that needs no store: calls of one
 * uid in turn on this node, and the refusal of a uid reused for another command.
 */
import { DataError } from './data-error.ts';
import type { LedgerEntry } from './runtime-store.ts';

/**
 * A node executes a uid at most once. A repeat that arrives while the first call still runs (a device write,
 * the wait for the standby) waits for it, then answers from the ledger: side by side, both would pass the
 * ledger check and execute (found by the simulation, seed 88).
 */
export class OncePerUid {
  /** Commands running on this node, by uid (settles when the call ends, whatever its outcome). */
  readonly #running = new Map<string, Promise<void>>();

  run<T>(uid: string, call: () => Promise<T>): Promise<T> {
    const before = this.#running.get(uid);
    const result = before ? before.then(call) : call();
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(uid, settled);
    void settled.then(() => {
      if (this.#running.get(uid) === settled) this.#running.delete(uid);
    });
    return result;
  }
}

/**
 * The uid of `entry` sent with a different command: refused (409), naming its first use. Answering that
 * command's result would tell the caller that a command ran which never did.
 */
export function uidReused(entry: LedgerEntry, command: string): DataError {
  return new DataError(
    'UID_REUSED',
    `uid "${entry.uid}" was used at ${new Date(entry.at).toISOString()} to ${describeCommand(entry.command)}; ` +
      `this request would ${describeCommand(command)}: give each command a uid of its own`,
  );
}

/** A ledger command (`{ write, value }` or `{ ack, by }`) in words, for the answer to a reused uid. */
function describeCommand(command: string): string {
  const parsed = JSON.parse(command) as { write?: string; value?: unknown; ack?: string; by?: string };
  if (parsed.write !== undefined) return `write ${JSON.stringify(parsed.value)} to tag "${parsed.write}"`;
  if (parsed.ack !== undefined) return `acknowledge alarm "${parsed.ack}" as ${JSON.stringify(parsed.by)}`;
  return `run ${command}`;
}
