/**
 * The peer's clock, measured from heartbeats the way NTP does it (docs/redundancy.md "Clock skew"). Pure: the
 * peer-frame router feeds it the times, the node decides what to show and record.
 */

/** One heartbeat's measure of the peer's clock minus this node's, and how far off it may be. */
export interface OffsetSample {
  /** The peer's clock minus this node's, in ms (positive: the peer's clock is ahead). */
  readonly offsetMs: number;
  /** The true offset lies within `offsetMs ± errorMs`: half the round trip. */
  readonly errorMs: number;
  /** This node's clock when the answer arrived. */
  readonly at: number;
}

/** How many of the latest heartbeats the estimate is chosen from (NTP's clock filter keeps eight). */
export const OFFSET_SAMPLES_KEPT = 8;

/**
 * One round trip: this node sent a ping at `sentAt`, the peer's clock read `peerAt` when it answered, and the
 * answer arrived at `receivedAt` (both of this node's clock). The peer answered somewhere within the round
 * trip, so its clock is `peerAt - (sentAt + receivedAt) / 2` ahead, give or take half the round trip.
 */
export function offsetFromHeartbeat(sentAt: number, peerAt: number, receivedAt: number): OffsetSample {
  const roundTrip = Math.max(0, receivedAt - sentAt);
  return { offsetMs: peerAt - (sentAt + receivedAt) / 2, errorMs: roundTrip / 2, at: receivedAt };
}

/**
 * The estimate to believe: the sample with the shortest round trip (its error bound is the tightest; a slow
 * answer says more about the network than about the clock), the newest among equals.
 */
export function bestOffset(samples: readonly OffsetSample[]): OffsetSample | null {
  let best: OffsetSample | null = null;
  for (const sample of samples) {
    if (!best || sample.errorMs < best.errorMs || (sample.errorMs === best.errorMs && sample.at >= best.at))
      best = sample;
  }
  return best;
}

/**
 * Whether the clocks differ by more than `boundMs`, with hysteresis so that a skew near the bound does not
 * flap: the warning starts only when the offset is beyond the bound even at the edge of its error, and ends
 * only when it is within half the bound even at the other edge. No estimate: unchanged.
 */
export function clockSkewed(wasSkewed: boolean, estimate: OffsetSample | null, boundMs: number): boolean {
  if (!estimate) return wasSkewed;
  const size = Math.abs(estimate.offsetMs);
  if (size - estimate.errorMs > boundMs) return true;
  if (size + estimate.errorMs < boundMs / 2) return false;
  return wasSkewed;
}

/** `3 h 02 min 05 s`, `4 min 05 s`, `12.4 s`, `850 ms`: an offset as an operator reads it (no sign). */
export function describeOffset(ms: number): string {
  const size = Math.abs(ms);
  if (size < 1000) return `${Math.round(size)} ms`;
  if (size < 60_000) return `${(size / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(size / 1000);
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  const mmss = `${String(minutes).padStart(2, '0')} min ${String(seconds).padStart(2, '0')} s`;
  return hours > 0 ? `${hours} h ${mmss}` : `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
