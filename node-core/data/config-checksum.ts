/**
 * The change log's checksum chain: each change's checksum covers the checksum before it, so a follower
 * whose head (seq, checksum) equals the active node's holds exactly the same history, and a change that does
 * not chain onto a follower's head tells it to ask for a snapshot.
 */
import { hash } from 'node:crypto';
import type { ConfigChange, ConfigHead } from './config-types.ts';

/** The checksum of the empty log. */
export const GENESIS = '0'.repeat(64);

type Chained = Pick<ConfigChange, 'seq' | 'epoch' | 'op' | 'kind' | 'key' | 'value'>;

export function checksumAfter(previous: string, change: Chained): string {
  const { seq, epoch, op, kind, key, value } = change;
  // One call, not a Hash object per change: a third of the time (0.5 µs), on every change of both nodes.
  return hash('sha256', `${previous}|${seq}|${epoch}|${op}|${kind}/${key}|${value ?? ''}`, 'hex');
}

/** The change is the next one after `head`: the following seq, chained onto its checksum. */
export function follows(head: ConfigHead, change: ConfigChange): boolean {
  return change.seq === head.seq + 1 && change.checksum === checksumAfter(head.checksum, change);
}
