/**
 * Performs what the pure machine asks for and feeds back what happened (style.md 7–9).
 * It owns exactly one timer: the machine's next wake-up.
 */
import type { Clock, TimerHandle } from '../clock/index.ts';
import {
  initialState,
  transition,
  type Effect,
  type Frame,
  type MachineEvent,
  type MachineState,
  type RecordedEvent,
} from './machine.ts';
import type { RedundancyConfig, Status } from './types.ts';

/** What the driver needs from the rest of the node; each is a plain callback so tests can fake any of them. */
export interface DriverPorts {
  /** Persist the epoch durably before anyone hears of the new status. */
  statusChanged(status: Status, epoch: number, reason: string): void;
  epochLearned(epoch: number): void;
  send(frame: Frame): void;
  record(event: RecordedEvent): void;
  pullFromPeer(): void;
  mergeSplitChanges(): void;
  probeIsolation(): Promise<boolean>;
  dropLink(): void;
  stopped(): void;
}

export class RedundancyDriver {
  readonly #clock: Clock;
  readonly #ports: DriverPorts;
  #state: MachineState;
  #timer: TimerHandle | null = null;
  #probing = false;
  #dispatching = false;
  readonly #queue: MachineEvent[] = [];

  constructor(config: RedundancyConfig, storedEpoch: number, clock: Clock, ports: DriverPorts) {
    this.#clock = clock;
    this.#ports = ports;
    this.#state = initialState(config, storedEpoch, clock.now());
  }

  get state(): MachineState {
    return this.#state;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /** Events raised while effects run (a port answering at once) are queued, so transitions never nest. */
  dispatch(event: MachineEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#step(next);
    } finally {
      this.#dispatching = false;
    }
  }

  /** Cancels the wake-up timer; no further ticks. */
  halt(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #step(event: MachineEvent): void {
    const result = transition(this.#state, event, this.#clock.now());
    this.#state = result.state;
    for (const effect of result.effects) this.#perform(effect);
    this.halt();
    if (result.wakeAt !== null && !this.#state.stopped) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.dispatch({ type: 'tick' });
      }, result.wakeAt - this.#clock.now());
    }
  }

  #perform(effect: Effect): void {
    switch (effect.type) {
      case 'status-changed':
        return this.#ports.statusChanged(effect.status, effect.epoch, effect.reason);
      case 'epoch-learned':
        return this.#ports.epochLearned(effect.epoch);
      case 'send':
        return this.#ports.send(effect.frame);
      case 'record':
        return this.#ports.record(effect.event);
      case 'pull-from-peer':
        return this.#ports.pullFromPeer();
      case 'merge-split-changes':
        return this.#ports.mergeSplitChanges();
      case 'probe-isolation':
        return this.#probe();
      case 'drop-link':
        return this.#ports.dropLink();
      case 'stopped':
        this.halt();
        return this.#ports.stopped();
    }
  }

  #probe(): void {
    if (this.#probing) return;
    this.#probing = true;
    this.#ports
      .probeIsolation()
      .catch(() => false)
      .then((reachable) => {
        this.#probing = false;
        if (!this.#state.stopped) this.dispatch({ type: 'isolation-probed', reachable });
      })
      .catch(() => undefined);
  }
}
