/**
 * The redundancy logic of one node as a pure function (style.md 7):
 * `transition(state, event, now)` returns the next state and the effects to perform, and never does I/O.
 * The driver (./driver.ts) performs the effects and feeds back what happened; the simulation does the same
 * with a simulated network and clock.
 * This file holds the state, the events and the effects, and routes each event; the rules it applies are in
 * ./roles.ts, ./handover.ts and ./split-brain.ts.
 */
import { assertNever, becomeActive, record, send, setStatus, stateFrame, stop, type Draft } from './draft.ts';
import {
  abandonHandover,
  handoverTimedOut,
  onHandoverAck,
  onHandoverOffer,
  onHandoverRequest,
  onStopRequested,
  onSyncComplete,
  requestSwitchover,
} from './handover.ts';
import { decide, learnEpoch } from './roles.ts';
import type { RedundancyConfig, Status, TransitionReason } from './types.ts';

export interface PeerView {
  readonly linked: boolean;
  readonly status: Status | null;
  readonly epoch: number;
  readonly activeSince: number | null;
  /** Peer counted down (lost) by missed heartbeats or a closed link. */
  readonly lost: boolean;
  /** The peer stays standby since then because an operator switched the pair to this node (rule 6). */
  readonly heldSince: number | null;
  /**
   * The peer's clock minus this node's, as last measured (docs/redundancy.md "Clock skew"); null until known.
   * Kept across links: the split-brain record reads the peer's `activeSince` through it at link-up, before a
   * heartbeat has measured the new link.
   */
  readonly clockOffsetMs: number | null;
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
  /**
   * An operator switched the pair away from this node at that time: it stays standby, whatever its recovery
   * mode, until an operator switches back or it restarts (docs/redundancy.md "An operator's switch-over holds").
   */
  readonly heldSince: number | null;
  readonly stopped: boolean;
}

export interface PeerHello {
  readonly status: Status;
  readonly epoch: number;
  readonly activeSince: number | null;
  readonly heldSince?: number | null | undefined;
  /** The peer's clock when it sent its hello (link-up): a first measure of its offset. */
  readonly at?: number | undefined;
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
  /** Heartbeats measured the peer's clock: its offset from this node's (clock-offset.ts). */
  | { readonly type: 'peer-clock'; readonly offsetMs: number }
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
      /** Absent from a peer of an earlier version: it holds nothing. */
      readonly heldSince?: number | null;
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
    peer: {
      linked: false,
      status: null,
      epoch: 0,
      activeSince: null,
      lost: false,
      heldSince: null,
      clockOffsetMs: null,
    },
    heartbeat: { seq: 0, nextPingAt: now, outstanding: [], missed: 0, lastAnsweredAt: now },
    isolationReachable: null,
    handover: { kind: 'none' },
    heldSince: null,
    stopped: false,
  };
}

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
        heldSince: event.peer.heldSince ?? null,
        // A measured offset is better than the hello's, which is short by the hello's time on the wire.
        clockOffsetMs: s.peer.clockOffsetMs ?? (event.peer.at === undefined ? null : event.peer.at - now),
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
        heldSince: event.peer.heldSince ?? null,
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
    case 'peer-clock':
      // Only read when a split brain is resolved; no rule follows from it.
      s.peer = { ...s.peer, clockOffsetMs: event.offsetMs };
      return;
    case 'switchover-requested':
      requestSwitchover(s, now, fx, 'operator request');
      break;
    case 'handover-request':
      onHandoverRequest(s, now, fx, event.reason);
      break;
    case 'handover-ack':
      onHandoverAck(s, now, fx);
      break;
    case 'handover-offer':
      onHandoverOffer(s, now, fx);
      break;
    case 'goodbye':
      s.peer = { ...s.peer, status: 'stopping' };
      peerLost(s, fx, 'peer stopped cleanly');
      break;
    case 'sync-complete':
      onSyncComplete(s, now, fx);
      break;
    case 'stop-requested':
      onStopRequested(s, now, fx);
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
  const now = stateFrame(s);
  if (f && f.status === now.status && f.epoch === now.epoch && f.activeSince === now.activeSince) {
    if (f.heldSince === now.heldSince) return;
  }
  fx.push(send(now));
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

function peerLost(s: Draft, fx: Effect[], why: string): void {
  if (s.peer.lost) return;
  s.peer = { ...s.peer, lost: true };
  // A peer never met cannot be lost: a master booting alone records nothing.
  if (s.peer.status !== null) fx.push(record('peer-lost', null, null, why, null));
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
