/**
 * What the demo (scripts/demo.ts) says when one of its nodes exits: for a node that stopped by itself or was
 * killed, the command that starts it again, complete, so that it works when pasted into another terminal;
 * for a node the demo stopped (Ctrl+C), only that it stopped.
 */
import path from 'node:path';

/** Quotes a shell word only when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `cd ROOT && npm run node -- --data-dir DIR`: the node stored every flag it was started with, so its data
 * directory is all it needs (docs/contract.md). `npm run` must run in the checkout, hence the `cd`.
 */
export function restartCommand(root: string, dataDir: string): string {
  const relative = path.relative(root, dataDir);
  const dir = relative.startsWith('..') || path.isAbsolute(relative) ? dataDir : relative;
  return `cd ${shellWord(root)} && npm run node -- --data-dir ${shellWord(dir)}`;
}

export interface NodeExit {
  readonly role: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The demo stopped it (Ctrl+C): no restart hint. */
  readonly stoppedOnPurpose: boolean;
  readonly restart: string;
}

export function exitNotice(exit: NodeExit): string {
  if (exit.stoppedOnPurpose) return `[${exit.role}] stopped.`;
  const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
  return `[${exit.role}] ${how}. Start it again in another terminal with:\n  ${exit.restart}`;
}
