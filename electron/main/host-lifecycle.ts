/**
 * Runs in electron-main. The lifecycle the desktop's two hosts share (the node, node-host.ts; the fleet
 * monitor, monitor-host.ts): a runtime of node-core started in this process, at most one at a time, and
 * stopped once however often stop is asked for. The host keeps what is its own: how to start it, what it
 * listens to, and what a phase looks like to the tray.
 */
import { DesktopError, describeError } from './errors.ts';

/** What a host's runtime has in common: it can be stopped. */
export interface Stoppable {
  stop(): Promise<void>;
}

export type HostPhase<R> =
  /** Nothing to start yet: the first-run form has not been answered (only the node has this phase). */
  | { readonly phase: 'unconfigured' }
  | { readonly phase: 'idle' }
  | { readonly phase: 'starting'; readonly started: Promise<R> }
  | { readonly phase: 'running'; readonly running: R }
  | { readonly phase: 'stopping'; readonly running: R; readonly stopped: Promise<void> }
  | { readonly phase: 'stopped' }
  | { readonly phase: 'failed'; readonly reason: string };

export interface HostLifecycleOptions<R> {
  /** `node` or `monitor`: the word of the BUSY error and the failure reason. */
  readonly what: string;
  /** After every change of phase (the host emits its snapshot). */
  readonly changed: () => void;
  /**
   * Hooks the host's listeners onto a runtime that just started, before it is `running`; what it answers is
   * called when a stop is asked for.
   */
  readonly attach: (running: R) => (() => void) | void;
}

export interface LifecycleStart {
  /** A first-run start that fails goes back quietly to this phase (the form shows the error), not to `failed`. */
  readonly quietFailure?: 'idle' | 'unconfigured';
  /** Told the reason once the start has failed and the phase is `failed`. */
  readonly failed?: (reason: string) => void;
}

export class HostLifecycle<R extends Stoppable> {
  readonly #options: HostLifecycleOptions<R>;
  #phase: HostPhase<R> = { phase: 'idle' };
  #detach: (() => void) | null = null;

  constructor(options: HostLifecycleOptions<R>) {
    this.#options = options;
  }

  get phase(): HostPhase<R> {
    return this.#phase;
  }

  get running(): R | null {
    return this.#phase.phase === 'running' ? this.#phase.running : null;
  }

  set(phase: HostPhase<R>): void {
    this.#phase = phase;
    this.#options.changed();
  }

  /**
   * Starts a runtime with `begin`; rejects with its error when it cannot, after moving to `failed` (or
   * quietly back, see `quietFailure`). Refused while one is starting, running or stopping.
   */
  async start(begin: () => Promise<R>, options: LifecycleStart = {}): Promise<R> {
    const p = this.#phase;
    if (p.phase === 'starting' || p.phase === 'running' || p.phase === 'stopping') {
      throw new DesktopError('BUSY', `the ${this.#options.what} is already ${p.phase}`);
    }
    const started = begin();
    this.set({ phase: 'starting', started });
    let running: R;
    try {
      running = await started;
    } catch (error) {
      if (options.quietFailure) {
        this.set({ phase: options.quietFailure });
      } else {
        const reason = `the ${this.#options.what} could not start: ${describeError(error).message}`;
        this.set({ phase: 'failed', reason });
        options.failed?.(reason);
      }
      throw error;
    }
    this.#detach = this.#options.attach(running) ?? null;
    this.set({ phase: 'running', running });
    return running;
  }

  /** Idempotent; waits for a start under way. */
  async stop(): Promise<void> {
    const p = this.#phase;
    switch (p.phase) {
      case 'starting':
        await p.started.catch(() => undefined);
        return this.stop();
      case 'stopping':
        return p.stopped;
      case 'running': {
        this.#detach?.();
        this.#detach = null;
        const stopped = p.running.stop();
        this.set({ phase: 'stopping', running: p.running, stopped });
        try {
          await stopped;
        } finally {
          this.set({ phase: 'stopped' });
        }
        return;
      }
      case 'idle':
      case 'unconfigured':
      case 'stopped':
      case 'failed':
        return;
    }
  }

  /**
   * The runtime stopped without being asked (a stop the desktop asks for passes through `stopping`): `failed`
   * with `reason`. False, and nothing changes, when `running` is not the current runtime.
   */
  failUnasked(running: R, reason: string): boolean {
    if (this.running !== running) return false;
    this.#detach?.();
    this.#detach = null;
    this.set({ phase: 'failed', reason });
    return true;
  }
}
