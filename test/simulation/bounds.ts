/**
 * The time bounds of the invariants, derived from the machine's rules (docs/rules.md "Roles", "Partitions")
 * and the latencies of the simulated world (DELAYS). Each bound is the worst case of the path written next
 * to it; a run that needs longer has found a bug, in the machine or in the simulator.
 *
 * Notation: p = ping rate, to = ping timeout, m = missed pings, F = failover time, W = connection wait,
 * D = frame delay (max), H = handshake (max), L = link-down notice (max), P = isolation probe (max),
 * S = pull from peer (max).
 */
import type { Timing } from '../../node-core/redundancy/types.ts';
import { DELAYS } from './scenario.ts';

export interface Bounds {
  /** (a) Longest time two nodes may both be active in the isolation-safe family. */
  readonly dualActiveMs: number;
  /** (b) From t0 to active, for a standby whose peer is dead. */
  readonly takeOverMs: number;
  /** (b) From the end of its own isolation (host reachable again) to active, for a standby whose peer is dead. */
  readonly takeOverAfterIsolationMs: number;
  /** (b) From boot to active, for a master whose backup is dead (connection wait, then a probe). */
  readonly bootAloneMs: number;
  /** (b) From the peer going silent (power loss) to this node dropping the link for missed heartbeats. */
  readonly noticeSilenceMs: number;
  /** (c), (e) From "link healthy and both nodes up" to the settled state. */
  readonly settleMs: number;
  /** (e) Longest gap with no active node during a coordinated hand-over on a healthy link. */
  readonly handoverGapMs: number;
  /** (g) From stop request to stopped. */
  readonly stopMs: number;
}

export function boundsFor(timing: Timing): Bounds {
  const { pingRateMs: p, pingTimeoutMs: to, missedPings: m, failoverTimeMs: F, connectionWaitMs: W } = timing;
  const D = DELAYS.frameMaxMs;
  const H = DELAYS.handshakeMaxMs;
  const L = DELAYS.linkDownMaxMs;
  const P = DELAYS.probeMaxMs;
  const S = DELAYS.pullMaxMs;
  return {
    // (a) Partition of an active node X at t: X hears its link close by t + L, counts a missed heartbeat at its
    // next ping time (<= p later; a closed link counts every ping as missed), which starts an isolation probe;
    // a probe of an unreachable host answers when its timeout (to, as in the real driver) expires, and a probe
    // already in flight answers "unreachable" sooner. That answer makes X step down. The other node may take
    // over at once if its own failover time had already run: it was itself cut off and has just come back
    // (seeds 4630, 2962), or came back just before X was cut off and took over before its re-dial reached X
    // (seed 7306, 388 ms of the 410 ms bound). So the overlap is bounded by X's detection time alone.
    dualActiveMs: L + p + Math.max(to, P),
    // (b) Rule 3 needs BOTH m missed heartbeats and F since the last answered one. From t0 (see simulator.ts:
    // the latest of peer exit, link-down seen, own start, isolation host regained, end of own slowness):
    // the last answer was before t0; every ping time after the link closed is a miss, so m misses by t0 + m*p;
    // F has passed by t0 + F. With the check it also needs the answer "reachable": a probe still in flight from
    // before the host came back answers "unreachable" within to, the next miss (<= p later) starts a new probe,
    // which answers within P. Hence max(F, m*p, to + p + P), plus one ping rate for the tick that sees it all.
    // The brief's "F + one ping rate + a small allowance" is this bound when F dominates; when m*p > F
    // (e.g. F = 300, m = 4) the missed-pings rule (docs/rules.md "Roles 3") dominates instead.
    takeOverMs: Math.max(F, m * p, to + p + P) + p,
    // (b) A node that was cut off (its probe said "unreachable") counts anew from the probe that finds the host
    // again (docs/rules.md "Partitions"): that probe answers within to + p + P of the host coming back (as
    // above), then m fresh misses and F from that answer, plus the tick that sees it.
    takeOverAfterIsolationMs: to + p + P + Math.max(F, m * p) + p,
    // (b) A peer that goes silent at t (or this node links up at t with a peer that is already gone, its hello
    // still in flight): the first heartbeat it cannot answer was sent before t + p, the m-th one before
    // t + m*p, and it counts as missed when the ping timeout expires: the link is dropped by t + m*p + to.
    // From then on the take-over bound above applies.
    noticeSilenceMs: m * p + to + 1,
    // (b) A master that boots alone waits W, then needs the isolation answer (<= P) with the check.
    bootAloneMs: W + P + 1,
    // (c), (e) From the moment the network is good and both processes are up:
    //   heartbeats sent before it expire within to and may still drop the link (+ L to notice),
    //   the backup re-dials within p, the handshake takes <= H, the hello <= D -> link up by to + L + p + H + D;
    //   automatic recovery then pulls (<= S) and hands over (request and ack, 2D);
    //   a node still "yielded" from an earlier switch-over waits out to, then its next tick (<= p).
    settleMs: to + L + p + H + D + S + 2 * D + to + p,
    // (e) In a coordinated hand-over the active node stands down when the request arrives and the requester
    // becomes active when the ack arrives, one frame later (frames stay in order, each <= D).
    handoverGapMs: D,
    // (g) A stopping active node waits at most `to` for the hand-over ack, then stops; a standby stops at once.
    stopMs: to + 1,
  };
}
