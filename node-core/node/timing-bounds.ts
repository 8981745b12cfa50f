/**
 * Every bound a node puts on a wait, in one place: those of the pair derive from its timing settings (the
 * ping timeout bounds what the peer must answer), the others are named constants with the reason for each.
 * Timers run on a Clock (node-core/clock); the bounds of stopping and of the API's own I/O run on the system
 * clock even where a test gives the node a manual one (create-node.ts `realTime`), so that a stopping node
 * never waits on a clock that nobody advances.
 */
import type { NodeSettings } from './settings.ts';

type Timing = Pick<NodeSettings['timing'], 'pingTimeoutMs'>;

/** What a stop waits beyond the machine's own bound (the ping timeout) for its hand-over: a margin for a busy node. */
const STOP_MARGIN_MS = 1000;
/** What `POST /api/redundancy/switchover` waits beyond the ping timeout for the switch-over's outcome. */
const SWITCHOVER_ANSWER_MARGIN_MS = 500;

/**
 * How long a clean stop waits for its hand-over before it closes anyway: the machine bounds the hand-over by
 * the ping timeout; this only guards against a stuck link.
 */
export function stopGuardMs(timing: Timing): number {
  return timing.pingTimeoutMs + STOP_MARGIN_MS;
}

/** How long a switch-over request waits for its outcome (active, or the hand-over given up) before it answers. */
export function switchoverAnswerMs(timing: Timing): number {
  return timing.pingTimeoutMs + SWITCHOVER_ANSWER_MARGIN_MS;
}

/** What a session request waits beyond the ping timeout for the partner's answer: a margin for a busy partner. */
const PARTNER_SESSION_MARGIN_MS = 1000;

/**
 * How long a node waits for its partner to answer a session request (`POST /api/partner-session`): a linked
 * peer answers its heartbeats within the ping timeout, and a session is little more work than a heartbeat.
 */
export function partnerSessionAnswerMs(timing: Timing): number {
  return timing.pingTimeoutMs + PARTNER_SESSION_MARGIN_MS;
}

/**
 * How long the API's close lets requests still open finish before it cuts their connections: a client that
 * never finishes a request must not hold a stopping node up longer than the peer waits for it.
 */
export function apiCloseGraceMs(timing: Timing): number {
  return timing.pingTimeoutMs;
}

/** How long a live socket (`/api/live`) may take to send its token before it is closed (4401). */
export const LIVE_AUTH_TIMEOUT_MS = 5000;
/** Values and config notices go to live sockets in batches this often: one entry per tag per batch. */
export const LIVE_FLUSH_MS = 100;
/**
 * Heartbeat round trips and missed pings change without an event: the live sockets get the status this often
 * (a second, the default ping rate, but not tied to it: a dashboard needs no more).
 */
export const LIVE_STATUS_EVERY_MS = 1000;
