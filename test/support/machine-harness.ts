/**
 * Drives one pure redundancy machine (node-core/redundancy/machine.ts) the way the driver does, for the unit
 * specs beside it: events in, effects collected, ticks at each wake time, on a clock of its own.
 */
import {
  initialState,
  transition,
  type Effect,
  type MachineEvent,
  type MachineState,
  type PeerHello,
} from '../../node-core/redundancy/machine.ts';
import type { Mode, RedundancyConfig } from '../../node-core/redundancy/types.ts';

export const timing = {
  pingRateMs: 100,
  pingTimeoutMs: 100,
  missedPings: 3,
  failoverTimeMs: 300,
  connectionWaitMs: 500,
};

export function config(mode: Mode, overrides: Partial<RedundancyConfig> = {}): RedundancyConfig {
  return { mode, recovery: 'automatic', restoreWindow: null, isolationCheck: null, timing, ...overrides };
}

/** Drives one machine the way the driver does: events in, effects collected, ticks at each wake time. */
export class Harness {
  state: MachineState;
  now = 1_000_000;
  effects: Effect[] = [];
  wakeAt: number | null = null;

  constructor(cfg: RedundancyConfig, storedEpoch = 0) {
    this.state = initialState(cfg, storedEpoch, this.now);
  }

  send(event: MachineEvent): Effect[] {
    const result = transition(this.state, event, this.now);
    this.state = result.state;
    this.wakeAt = result.wakeAt;
    this.effects.push(...result.effects);
    return [...result.effects];
  }

  /** Lets time pass, ticking at every wake-up on the way; no pongs arrive. */
  advance(ms: number): void {
    const until = this.now + ms;
    while (this.wakeAt !== null && this.wakeAt <= until) {
      this.now = Math.max(this.now, this.wakeAt);
      this.send({ type: 'tick' });
    }
    this.now = until;
  }

  /** Lets time pass while the peer answers every ping at once. */
  advanceAnswering(ms: number): void {
    const until = this.now + ms;
    while (this.wakeAt !== null && this.wakeAt <= until) {
      this.now = Math.max(this.now, this.wakeAt);
      for (const e of this.send({ type: 'tick' })) {
        if (e.type === 'send' && e.frame.t === 'ping') this.send({ type: 'pong', seq: e.frame.seq });
      }
    }
    this.now = until;
  }

  sent(t: string): boolean {
    return this.effects.some((e) => e.type === 'send' && e.frame.t === t);
  }

  recorded(kind: string): { reason: string; durationMs: number | null }[] {
    return this.effects.flatMap((e) => (e.type === 'record' && e.event.kind === kind ? [e.event] : []));
  }
}

export const standbyPeer: PeerHello = { status: 'standby', epoch: 0, activeSince: null };
export const activePeer = (epoch: number, activeSince: number): PeerHello => ({
  status: 'active',
  epoch,
  activeSince,
});
