/**
 * The redundancy logic of one node as a pure function (style.md 7):
 * `transition(state, event, now)` returns the next state and the effects to perform, and never does I/O.
 * The driver (./driver.ts) performs the effects and feeds back what happened; the simulation does the same
 * with a simulated network and clock.
 */
import { currentOrNextWindowStart } from './restore-window.ts';
import type { RedundancyConfig, Status, TransitionReason } from './types.ts';

export interface PeerView {
  readonly linked: boolean;
  readonly status: Status | null;
  readonly epoch: number;
  readonly activeSince: number | null;
  /** Peer counted down (lost) by missed heartbeats or a closed link. */
  readonly lost: boolean;
}

export interface Heartbeat {
  readonly seq: number;
  readonly nextPingAt: number;
  readonly outstanding: readonly { readonly seq: number; readonly sentAt: number }[];
  readonly missed: number;
  readonly lastAnsweredAt: number;
}

/** A hand-over this node is driving, so that the answers of the peer are read in context. */
export type Handover =
  | { readonly kind: 'none' }
  | { readonly kind: 'pulling'; readonly since: number; readonly reason: TransitionReason }
  | { readonly kind: 'requested'; readonly since: number; readonly reason: TransitionReason }
  | { readonly kind: 'offered'; readonly since: number }
  /** This node stood down for the peer; until the peer says it is active, "nobody active" is not a reason to act. */
  | { readonly kind: 'yielded'; readonly since: number };

export interface MachineState {
  readonly config: RedundancyConfig;
  readonly status: Status;
  readonly epoch: number;
  readonly activeSince: number | null;
  readonly connectDeadline: number | null;
  readonly peer: PeerView;
  readonly heartbeat: Heartbeat;
  /** Result of the last isolation probe while the peer was unreachable; null = not known. */
  readonly isolationReachable: boolean | null;
  readonly handover: Handover;
  readonly stopped: boolean;
}

export interface PeerHello {
  readonly status: Status;
  readonly epoch: number;
  readonly activeSince: number | null;
}

export type MachineEvent =
  | { readonly type: 'start' }
  | { readonly type: 'tick' }
  | { readonly type: 'link-up'; readonly peer: PeerHello }
  | { readonly type: 'link-down' }
  /** A connection reached the peer, which answered, but the link waits for certificate approval. */
  | { readonly type: 'peer-unverified' }
  | { readonly type: 'peer-state'; readonly peer: PeerHello }
  | { readonly type: 'pong'; readonly seq: number }
  | { readonly type: 'isolation-probed'; readonly reachable: boolean }
  | { readonly type: 'switchover-requested' }
  | { readonly type: 'handover-request'; readonly reason: TransitionReason }
  | { readonly type: 'handover-ack' }
  | { readonly type: 'handover-offer' }
  | { readonly type: 'goodbye' }
  | { readonly type: 'sync-complete' }
  | { readonly type: 'stop-requested' };

export type Frame =
  | { readonly t: 'ping'; readonly seq: number }
  | {
      readonly t: 'state';
      readonly status: Status;
      readonly epoch: number;
      readonly activeSince: number | null;
    }
  | { readonly t: 'handover-request'; readonly reason: TransitionReason }
  | { readonly t: 'handover-ack' }
  | { readonly t: 'handover-offer' }
  | { readonly t: 'goodbye' };

export interface RecordedEvent {
  readonly kind: 'role-change' | 'peer-lost' | 'peer-regained' | 'split-brain' | 'switchover-failed';
  readonly from: Status | null;
  readonly to: Status | null;
  readonly reason: string;
  readonly durationMs: number | null;
}

export type Effect =
  | {
      readonly type: 'status-changed';
      readonly status: Status;
      readonly epoch: number;
      readonly reason: string;
    }
  | { readonly type: 'send'; readonly frame: Frame }
  | { readonly type: 'record'; readonly event: RecordedEvent }
  /** Pull everything the peer changed (config, runtime data, history) and answer with `sync-complete`. */
  | { readonly type: 'pull-from-peer' }
  /** The peer also wrote while both were active: merge its changes as a conflict set. */
  | { readonly type: 'merge-split-changes' }
  /** Persist a higher epoch heard from the peer. */
  | { readonly type: 'epoch-learned'; readonly epoch: number }
  | { readonly type: 'probe-isolation' }
  /** Close a link that went silent, so that it is built anew. */
  | { readonly type: 'drop-link' }
  | { readonly type: 'stopped' };

export interface Transition {
  readonly state: MachineState;
  readonly effects: readonly Effect[];
  /** When the driver must call again with `tick`, or null if only outside events can move the machine. */
  readonly wakeAt: number | null;
}

export function initialState(config: RedundancyConfig, storedEpoch: number, now: number): MachineState {
  return {
    config,
    status: 'starting',
    epoch: storedEpoch,
    activeSince: null,
    connectDeadline: null,
    peer: { linked: false, status: null, epoch: 0, activeSince: null, lost: false },
    heartbeat: { seq: 0, nextPingAt: now, outstanding: [], missed: 0, lastAnsweredAt: now },
    isolationReachable: null,
    handover: { kind: 'none' },
    stopped: false,
  };
}

/** Mutable working copy used inside one transition; never escapes. */
type Draft = { -readonly [K in keyof MachineState]: MachineState[K] };

export function transition(state: MachineState, event: MachineEvent, now: number): Transition {
  const s: Draft = { ...state };
  const effects: Effect[] = [];
  if (!s.stopped) {
    if (s.config.mode === 'independent') independent(s, event, now, effects);
    else paired(s, event, now, effects);
  }
  return { state: s, effects, wakeAt: s.stopped ? null : nextWake(s, now) };
}

function independent(s: Draft, event: MachineEvent, now: number, fx: Effect[]): void {
  if (event.type === 'start') becomeActive(s, now, fx, 'started independent', null);
  if (event.type === 'stop-requested') stop(s, fx, 'stopping');
}

function paired(s: Draft, event: MachineEvent, now: number, fx: Effect[]): void {
  switch (event.type) {
    case 'start':
      s.heartbeat = { ...s.heartbeat, nextPingAt: now + s.config.timing.pingRateMs, lastAnsweredAt: now };
      if (s.config.mode === 'master') s.connectDeadline = now + s.config.timing.connectionWaitMs;
      else setStatus(s, 'standby', fx, 'started as backup');
      break;
    case 'peer-unverified':
      // Trust: something answers at the peer's address and waits for approval. It is alive, so it is not
      // counted down; a backup does not take over from a master that only waits for an operator's approval.
      if (!s.peer.linked) s.heartbeat = { ...s.heartbeat, outstanding: [], missed: 0, lastAnsweredAt: now };
      break;
    case 'tick':
      if (handoverTimedOut(s, now)) abandonHandover(s, now, fx, 'no answer from peer');
      if (s.stopped) return;
      heartbeatTick(s, now, fx);
      break;
    case 'link-up': {
      const metBefore = s.peer.status !== null;
      s.peer = {
        linked: true,
        status: event.peer.status,
        epoch: event.peer.epoch,
        activeSince: event.peer.activeSince,
        lost: s.peer.lost,
      };
      s.heartbeat = {
        ...s.heartbeat,
        outstanding: [],
        missed: 0,
        lastAnsweredAt: now,
        nextPingAt: now + s.config.timing.pingRateMs,
      };
      s.isolationReachable = null;
      if (s.peer.lost) {
        s.peer = { ...s.peer, lost: false };
        if (metBefore) fx.push(record('peer-regained', null, null, 'link established', null));
      }
      break;
    }
    case 'link-down':
      if (s.peer.linked) {
        s.peer = { ...s.peer, linked: false };
        s.heartbeat = { ...s.heartbeat, outstanding: [] };
        peerLost(s, fx, 'link closed');
      }
      abandonHandover(s, now, fx, 'link lost');
      break;
    case 'peer-state':
      s.peer = {
        ...s.peer,
        status: event.peer.status,
        epoch: event.peer.epoch,
        activeSince: event.peer.activeSince,
      };
      // The peer we stood down for is active now: the hand-over is complete.
      if (s.handover.kind === 'yielded' && event.peer.status === 'active') s.handover = { kind: 'none' };
      break;
    case 'pong': {
      const answered = s.heartbeat.outstanding.find((p) => p.seq === event.seq);
      if (answered) {
        s.heartbeat = {
          ...s.heartbeat,
          outstanding: s.heartbeat.outstanding.filter((p) => p.seq > event.seq),
          missed: 0,
          lastAnsweredAt: now,
        };
        s.isolationReachable = null;
      }
      break;
    }
    case 'isolation-probed':
      s.isolationReachable = event.reachable;
      break;
    case 'switchover-requested':
      requestSwitchover(s, now, fx, 'operator request');
      break;
    case 'handover-request':
      // The peer wants to be active: stand down first, then say so; frames stay in order on the link.
      if (s.status === 'active') setStatus(s, 'standby', fx, event.reason);
      if (s.status === 'standby') s.handover = { kind: 'yielded', since: now };
      fx.push(send({ t: 'handover-ack' }));
      break;
    case 'handover-ack':
      if (s.handover.kind === 'requested') {
        const { since, reason } = s.handover;
        s.handover = { kind: 'none' };
        s.peer = { ...s.peer, status: 'standby' };
        becomeActive(s, now, fx, reason, now - since);
      } else if (s.handover.kind === 'offered') {
        stop(s, fx, 'stopping');
      }
      break;
    case 'handover-offer':
      // The active peer is stopping cleanly: take over at once, without waiting for missed heartbeats.
      if (s.status !== 'stopping') becomeActive(s, now, fx, 'clean hand-over', 0);
      fx.push(send({ t: 'handover-ack' }));
      s.peer = { ...s.peer, status: 'stopping' };
      break;
    case 'goodbye':
      s.peer = { ...s.peer, status: 'stopping' };
      peerLost(s, fx, 'peer stopped cleanly');
      break;
    case 'sync-complete':
      if (s.handover.kind === 'pulling') {
        s.handover = { kind: 'requested', since: now, reason: s.handover.reason };
        fx.push(send({ t: 'handover-request', reason: s.handover.reason }));
      }
      break;
    case 'stop-requested':
      if (s.status === 'active' && s.peer.linked && !s.peer.lost && s.peer.status === 'standby') {
        setStatus(s, 'stopping', fx, 'stopping');
        s.handover = { kind: 'offered', since: now };
        fx.push(send({ t: 'handover-offer' }));
      } else {
        if (s.peer.linked) fx.push(send({ t: 'goodbye' }));
        stop(s, fx, 'stopping');
      }
      return;
    default:
      return assertNever(event);
  }
  learnEpoch(s, fx);
  decide(s, now, fx);
  if (event.type === 'link-up') announceState(s, fx);
}

/**
 * The hello the peer got was taken when the connection opened; a change since then was sent while the link was
 * not yet up, and is lost. So on link-up, say where this node stands now, unless a state frame just did
 * (found by the simulation, seed 105).
 */
function announceState(s: Draft, fx: Effect[]): void {
  const last = fx.findLast((e) => e.type === 'send' && e.frame.t === 'state');
  const f = last?.type === 'send' && last.frame.t === 'state' ? last.frame : null;
  if (f && f.status === s.status && f.epoch === s.epoch && f.activeSince === s.activeSince) return;
  fx.push(send({ t: 'state', status: s.status, epoch: s.epoch, activeSince: s.activeSince }));
}

/** Heartbeats: send on schedule, count the unanswered, and a closed link counts as unanswered too. */
function heartbeatTick(s: Draft, now: number, fx: Effect[]): void {
  const { pingRateMs, pingTimeoutMs } = s.config.timing;
  let hb = s.heartbeat;
  const expired = hb.outstanding.filter((p) => now - p.sentAt >= pingTimeoutMs);
  if (expired.length > 0) {
    hb = {
      ...hb,
      outstanding: hb.outstanding.filter((p) => now - p.sentAt < pingTimeoutMs),
      missed: hb.missed + expired.length,
    };
  }
  if (now >= hb.nextPingAt) {
    const nextPingAt = Math.max(hb.nextPingAt + pingRateMs, now + 1);
    if (s.peer.linked) {
      const seq = hb.seq + 1;
      fx.push(send({ t: 'ping', seq }));
      hb = { ...hb, seq, nextPingAt, outstanding: [...hb.outstanding, { seq, sentAt: now }] };
    } else {
      hb = { ...hb, nextPingAt, missed: hb.missed + 1 };
    }
  }
  const newlyMissed = hb.missed > s.heartbeat.missed;
  s.heartbeat = hb;
  if (newlyMissed && s.config.isolationCheck) fx.push({ type: 'probe-isolation' });
  if (hb.missed >= s.config.timing.missedPings && !s.peer.lost) {
    peerLost(s, fx, 'missed heartbeats');
    if (s.peer.linked) fx.push({ type: 'drop-link' });
  }
}

/** The rules of behaviour.md (Roles, Partitions) that follow from what this node now knows. */
/** The epoch belongs to the pair: a standby keeps the highest it has heard of, durably, so it never goes back. */
function learnEpoch(s: Draft, fx: Effect[]): void {
  if (s.peer.epoch <= s.epoch) return;
  s.epoch = s.peer.epoch;
  fx.push({ type: 'epoch-learned', epoch: s.epoch });
}

function decide(s: Draft, now: number, fx: Effect[]): void {
  if (s.status === 'stopping') return;
  const peerUp = s.peer.linked && !s.peer.lost;
  const isolated = s.config.isolationCheck !== null && !peerUp && s.isolationReachable === false;

  // Partitions: a node that reaches neither its peer nor the isolation host assumes it is the isolated one.
  if (isolated && s.status === 'active') {
    setStatus(s, 'standby', fx, 'isolated');
    return;
  }

  if (s.status === 'starting') {
    decideMasterBoot(s, now, fx, peerUp, isolated);
    return;
  }

  if (peerUp && s.status === 'active' && s.peer.status === 'active') {
    resolveDualActive(s, now, fx);
    return;
  }

  if (s.status === 'standby' && s.handover.kind === 'none') {
    if (peerUp && s.config.mode === 'master') {
      if (s.peer.status === 'standby') becomeActive(s, now, fx, 'no active node', null);
      else if (s.peer.status === 'active' && s.config.recovery === 'automatic') reclaim(s, now, fx);
      else if (s.peer.status === 'active' && s.config.recovery === 'window' && restoreWindowOpen(s, now)) {
        requestSwitchover(s, now, fx, 'restore window');
      }
    } else if (!peerUp && takeOverDue(s, now)) {
      becomeActive(s, now, fx, 'missed heartbeats', now - s.heartbeat.lastAnsweredAt);
    }
  }
}

function decideMasterBoot(s: Draft, now: number, fx: Effect[], peerUp: boolean, isolated: boolean): void {
  if (s.handover.kind !== 'none') return;
  if (peerUp && s.peer.status === 'active') {
    switch (s.config.recovery) {
      case 'automatic':
        reclaim(s, now, fx);
        return;
      case 'manual':
        setStatus(s, 'standby', fx, 'manual recovery: backup is active');
        return;
      case 'window':
        setStatus(s, 'standby', fx, 'waiting for restore window');
        return;
      default:
        return assertNever(s.config.recovery);
    }
  }
  if (peerUp && s.peer.status !== null) {
    becomeActive(s, now, fx, 'backup connected as standby', null);
    return;
  }
  if (s.connectDeadline !== null && now >= s.connectDeadline) {
    if (isolated) setStatus(s, 'standby', fx, 'isolated');
    else if (s.config.isolationCheck === null || s.isolationReachable === true) {
      becomeActive(s, now, fx, 'no backup within connection wait', null);
    } else fx.push({ type: 'probe-isolation' });
  }
}

/** Automatic recovery: take back everything the backup changed before asking it to stand down. */
function reclaim(s: Draft, now: number, fx: Effect[]): void {
  s.handover = { kind: 'pulling', since: now, reason: 'automatic recovery' };
  fx.push({ type: 'pull-from-peer' });
}

function restoreWindowOpen(s: Draft, now: number): boolean {
  const window = s.config.restoreWindow;
  const start = window ? currentOrNextWindowStart(window, now) : null;
  return start !== null && start <= now;
}

function handoverTimedOut(s: Draft, now: number): boolean {
  const h = s.handover;
  return h.kind !== 'none' && h.kind !== 'pulling' && now - h.since >= s.config.timing.pingTimeoutMs;
}

function takeOverDue(s: Draft, now: number): boolean {
  const { missedPings, failoverTimeMs } = s.config.timing;
  const hb = s.heartbeat;
  if (hb.missed < missedPings || now - hb.lastAnsweredAt < failoverTimeMs) return false;
  return s.config.isolationCheck === null || s.isolationReachable === true;
}

/**
 * Both nodes active once the link heals: exactly one stays. With automatic recovery the master;
 * otherwise the node that was active without interruption (earlier activeSince), the master on a tie.
 * Both sides compute the same answer from the same facts.
 */
function resolveDualActive(s: Draft, now: number, fx: Effect[]): void {
  const mine = s.activeSince ?? now;
  const theirs = s.peer.activeSince ?? now;
  const iAmMaster = s.config.mode === 'master';
  const iWin =
    s.config.recovery === 'automatic' ? iAmMaster : mine < theirs || (mine === theirs && iAmMaster);
  if (iWin) return;
  const dualActiveMs = now - Math.max(mine, theirs);
  fx.push(record('split-brain', 'active', 'standby', 'partition healed', dualActiveMs));
  setStatus(s, 'standby', fx, 'partition healed');
  fx.push({ type: 'merge-split-changes' });
}

function requestSwitchover(s: Draft, now: number, fx: Effect[], reason: TransitionReason): void {
  if (s.status === 'active' || s.status === 'stopping' || s.handover.kind !== 'none') return;
  const peerUp = s.peer.linked && !s.peer.lost;
  if (peerUp && s.peer.status === 'active') {
    s.handover = { kind: 'requested', since: now, reason };
    fx.push(send({ t: 'handover-request', reason }));
  } else if (s.config.isolationCheck !== null && !peerUp && s.isolationReachable !== true) {
    // Partitions: without its peer, a node becomes active only when it reaches the isolation host; on request
    // it would step down again at once, or at the next probe (found by the simulation, seed 12). Ask the host.
    fx.push(record('switchover-failed', s.status, s.status, `${reason}: isolation host not reached`, null));
    fx.push({ type: 'probe-isolation' });
  } else {
    becomeActive(s, now, fx, reason, null);
  }
}

function abandonHandover(s: Draft, now: number, fx: Effect[], why: string): void {
  const h = s.handover;
  if (h.kind === 'none') return;
  s.handover = { kind: 'none' };
  if (h.kind === 'offered') {
    stop(s, fx, 'stopping');
    return;
  }
  if (h.kind === 'yielded') return;
  fx.push(record('switchover-failed', s.status, s.status, `${h.reason}: ${why}`, now - h.since));
  if (s.status === 'starting') setStatus(s, 'standby', fx, 'peer lost during recovery');
}

function peerLost(s: Draft, fx: Effect[], why: string): void {
  if (s.peer.lost) return;
  s.peer = { ...s.peer, lost: true };
  // A peer never met cannot be lost: a master booting alone records nothing.
  if (s.peer.status !== null) fx.push(record('peer-lost', null, null, why, null));
}

function becomeActive(
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
  const from = s.status;
  setStatus(s, 'active', fx, reason);
  fx.push(record('role-change', from, 'active', reason, outageMs));
}

function setStatus(s: Draft, status: Status, fx: Effect[], reason: string): void {
  if (s.status === status) return;
  const from = s.status;
  s.status = status;
  if (status !== 'active') s.activeSince = null;
  if (status !== 'starting') s.connectDeadline = null;
  fx.push({ type: 'status-changed', status, epoch: s.epoch, reason });
  fx.push(send({ t: 'state', status, epoch: s.epoch, activeSince: s.activeSince }));
  if (from === 'active' && status !== 'active') fx.push(record('role-change', from, status, reason, null));
}

function stop(s: Draft, fx: Effect[], reason: string): void {
  setStatus(s, 'stopping', fx, reason);
  s.stopped = true;
  fx.push({ type: 'stopped' });
}

function nextWake(s: MachineState, now: number): number | null {
  if (s.config.mode === 'independent') return null;
  const { pingTimeoutMs, failoverTimeMs } = s.config.timing;
  // Deadlines that only a tick handles, and that a tick always moves past: the next heartbeat, ping timeouts,
  // the hand-over timeout. Another event can arrive at or after one of them before its tick did; it is then
  // due at once, or the heartbeat would be skipped until some later deadline (found by the simulation,
  // seed 3113).
  const onTick = [s.heartbeat.nextPingAt, ...s.heartbeat.outstanding.map((p) => p.sentAt + pingTimeoutMs)];
  if (s.handover.kind === 'requested' || s.handover.kind === 'offered')
    onTick.push(s.handover.since + pingTimeoutMs);
  if (onTick.some((at) => at <= now)) return now;
  const candidates = [...onTick];
  if (s.connectDeadline !== null) candidates.push(s.connectDeadline);
  if (s.status === 'standby' && s.peer.lost) candidates.push(s.heartbeat.lastAnsweredAt + failoverTimeMs);
  // The restore window is checked on every heartbeat tick, so it needs no wake-up of its own.
  // A deadline already passed without effect waits on something else (an isolation probe, say).
  const future = candidates.filter((at) => at > now);
  return future.length > 0 ? Math.min(...future) : now + s.config.timing.pingRateMs;
}

function record(
  kind: RecordedEvent['kind'],
  from: Status | null,
  to: Status | null,
  reason: string,
  durationMs: number | null,
): Effect {
  return { type: 'record', event: { kind, from, to, reason, durationMs } };
}

function send(frame: Frame): Effect {
  return { type: 'send', frame };
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
