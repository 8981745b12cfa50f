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
  handoverDeadline,
  handoverTimedOut,
  onHandoverAck,
  onHandoverOffer,
  onHandoverRequest,
  onStopRequested,
  onSyncComplete,
  requestSwitchover,
} from './handover.ts';
import { decide, learnEpoch, takeOverEarliest } from './roles.ts';
import type { Effect, MachineEvent, MachineState, Transition } from './machine-types.ts';
import type { RedundancyConfig } from './types.ts';

export type * from './machine-types.ts';

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
    isolationEndedAt: null,
    handover: { kind: 'none' },
    heldSince: null,
    claimedSince: null,
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
      s.isolationEndedAt = null;
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
        s.isolationEndedAt = null;
      }
      break;
    }
    case 'isolation-probed':
      if (event.reachable && s.isolationReachable === false) {
        // Cut off until now: the peer gets a full failover time, from now, to be heard again.
        s.isolationEndedAt = now;
      }
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
  const { pingTimeoutMs } = s.config.timing;
  // Deadlines that only a tick handles, and that a tick always moves past: the next heartbeat, ping timeouts,
  // the hand-over timeout. Another event can arrive at or after one of them before its tick did; it is then
  // due at once, or the heartbeat would be skipped until some later deadline (found by the simulation,
  // seed 3113).
  const onTick = [s.heartbeat.nextPingAt, ...s.heartbeat.outstanding.map((p) => p.sentAt + pingTimeoutMs)];
  const handoverDue = handoverDeadline(s);
  if (handoverDue !== null && (s.handover.kind === 'requested' || s.handover.kind === 'offered'))
    onTick.push(handoverDue);
  if (onTick.some((at) => at <= now)) return now;
  const candidates = [...onTick];
  if (s.connectDeadline !== null) candidates.push(s.connectDeadline);
  if (s.status === 'standby' && s.peer.lost) candidates.push(takeOverEarliest(s));
  // The restore window is checked on every heartbeat tick, so it needs no wake-up of its own.
  // A deadline already passed without effect waits on something else (an isolation probe, say).
  const future = candidates.filter((at) => at > now);
  return future.length > 0 ? Math.min(...future) : now + s.config.timing.pingRateMs;
}
