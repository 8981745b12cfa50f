/**
 * Performs what the pure machine asks for and feeds back what happened (style.md 7–9).
 * It owns exactly one timer, the machine's next wake-up, and at most one isolation probe in flight.
 *
 * Everything outside the machine comes through ports: time and timers through the `Clock`, the peer link,
 * the isolation probe and the node's bookkeeping through `DriverPorts`. The node (../node/tandem-node.ts)
 * passes the real ones; the deterministic simulation (test/simulation/simulator.ts) passes its simulated
 * clock, network and isolation host, so that it runs this very code.
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
  /** The peer link: a frame to the peer (dropped by the link while it is down). */
  send(frame: Frame): void;
  /** The peer link: close a link that went silent, so that it is built anew. */
  dropLink(): void;
  record(event: RecordedEvent): void;
  pullFromPeer(): void;
  mergeSplitChanges(): void;
  /**
   * The isolation probe: find out whether the isolation host answers and call `answer` once, later (a probe
   * that fails to run answers false). A callback rather than a promise, so that a simulated host can answer
   * on the simulated clock.
   */
  probeIsolation(answer: (reachable: boolean) => void): void;
  stopped(): void;
}

/** The pure machine the driver runs: the real one, or one a test breaks on purpose or watches. */
export interface RedundancyMachine {
  readonly initialState: typeof initialState;
  readonly transition: typeof transition;
}

export const REDUNDANCY_MACHINE: RedundancyMachine = { initialState, transition };

export class RedundancyDriver {
  readonly #clock: Clock;
  readonly #ports: DriverPorts;
  readonly #machine: RedundancyMachine;
  #state: MachineState;
  #timer: TimerHandle | null = null;
  #probing = false;
  #dispatching = false;
  readonly #queue: MachineEvent[] = [];

  constructor(
    config: RedundancyConfig,
    storedEpoch: number,
    clock: Clock,
    ports: DriverPorts,
    machine: RedundancyMachine = REDUNDANCY_MACHINE,
  ) {
    this.#clock = clock;
    this.#ports = ports;
    this.#machine = machine;
    this.#state = machine.initialState(config, storedEpoch, clock.now());
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
    const result = this.#machine.transition(this.#state, event, this.#clock.now());
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

  /** One probe at a time: the machine asks at every missed heartbeat, the answer may take the ping timeout. */
  #probe(): void {
    if (this.#probing) return;
    this.#probing = true;
    let answered = false;
    const answer = (reachable: boolean): void => {
      if (answered) return;
      answered = true;
      this.#probing = false;
      if (!this.#state.stopped) this.dispatch({ type: 'isolation-probed', reachable });
    };
    try {
      this.#ports.probeIsolation(answer);
    } catch {
      answer(false);
    }
  }
}
