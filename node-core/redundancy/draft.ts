/**
 * The working copy one transition changes (./machine.ts), and the changes of status every rule is made of.
 * The rules live in ./machine.ts (events), ./roles.ts, ./handover.ts and ./split-brain.ts.
 */
import type { Effect, Frame, MachineState, RecordedEvent } from './machine-types.ts';
import type { Status, TransitionReason } from './types.ts';

/** Mutable working copy used inside one transition; never escapes. */
export type Draft = { -readonly [K in keyof MachineState]: MachineState[K] };

export function becomeActive(
  s: Draft,
  now: number,
  fx: Effect[],
  reason: TransitionReason,
  outageMs: number | null,
): void {
  if (s.status === 'active') return;
  // The epoch grows by one each time any node of the pair becomes active.
  s.epoch = Math.max(s.epoch, s.peer.epoch) + 1;
  s.activeSince = now;
  s.connectDeadline = null;
  // Active again, whatever the cause: an operator's hold on this node has ended (rule 6). Active because an
  // operator asked: that choice stands through a split (machine-types.ts claimedSince).
  s.heldSince = null;
  if (reason === 'operator request') s.claimedSince = now;
  const from = s.status;
  setStatus(s, 'active', fx, reason);
  fx.push(record('role-change', from, 'active', reason, outageMs));
}

export function setStatus(s: Draft, status: Status, fx: Effect[], reason: string): void {
  if (s.status === status) return;
  const from = s.status;
  s.status = status;
  if (status !== 'active') {
    s.activeSince = null;
    s.claimedSince = null;
  }
  if (status !== 'starting') s.connectDeadline = null;
  fx.push({ type: 'status-changed', status, epoch: s.epoch, reason });
  fx.push(send(stateFrame(s)));
  if (from === 'active' && status !== 'active') fx.push(record('role-change', from, status, reason, null));
}

/** Where this node stands, as its peer hears it. */
export function stateFrame(s: Draft): Extract<Frame, { t: 'state' }> {
  return { t: 'state', status: s.status, epoch: s.epoch, activeSince: s.activeSince, heldSince: s.heldSince };
}

export function stop(s: Draft, fx: Effect[], reason: string): void {
  setStatus(s, 'stopping', fx, reason);
  s.stopped = true;
  fx.push({ type: 'stopped' });
}

export function record(
  kind: RecordedEvent['kind'],
  from: Status | null,
  to: Status | null,
  reason: string,
  durationMs: number | null,
): Effect {
  return { type: 'record', event: { kind, from, to, reason, durationMs } };
}

export function send(frame: Frame): Effect {
  return { type: 'send', frame };
}

export function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
