/**
 * Runs in electron-main. Hosts the fleet monitor (docs/monitor.md) in this process, started by node-core's
 * `startMonitor` exactly as `tandem-node monitor` starts it, for the desktop app's "Monitor pairs" mode. Turns
 * its fleet into one event of our own, `changed` (a new snapshot for the tray and the notifications): the
 * in-process monitor says when the fleet changes, so nothing polls its HTTP API.
 */
import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../../node-core/logging.ts';
import type { FleetView, RunningMonitor, startMonitor } from '../../node-core/monitor/index.ts';
import { DesktopError, describeError } from './errors.ts';

/** The monitor as the desktop sees it; `running` carries the fleet as the monitor last built it. */
export type MonitorSnapshot =
  | { readonly phase: 'starting' }
  | { readonly phase: 'running'; readonly fleet: FleetView }
  | { readonly phase: 'stopping' }
  | { readonly phase: 'stopped' }
  /** It could not start (the file went away or became malformed since it was chosen). */
  | { readonly phase: 'failed'; readonly reason: string };

export interface MonitorHostOptions {
  readonly startMonitor: typeof startMonitor;
  /** `app.getPath('userData')/monitor`: the monitor's admin token, made on first start. */
  readonly dataDir: string;
  /** The dashboard build, whose `fleet.html` the monitor serves. */
  readonly dashboardDir: string | null;
  readonly logger?: Logger;
}

type Phase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'starting'; readonly started: Promise<RunningMonitor> }
  | { readonly phase: 'running'; readonly running: RunningMonitor; readonly detach: () => void }
  | { readonly phase: 'stopping'; readonly stopped: Promise<void> }
  | { readonly phase: 'stopped' }
  | { readonly phase: 'failed'; readonly reason: string };

export class MonitorHost extends EventEmitter<{ changed: [snapshot: MonitorSnapshot] }> {
  readonly #options: MonitorHostOptions;
  #phase: Phase = { phase: 'idle' };

  constructor(options: MonitorHostOptions) {
    super();
    this.#options = options;
  }

  get running(): RunningMonitor | null {
    return this.#phase.phase === 'running' ? this.#phase.running : null;
  }

  get snapshot(): MonitorSnapshot {
    const p = this.#phase;
    switch (p.phase) {
      case 'idle':
      case 'starting':
        return { phase: 'starting' };
      case 'running':
        return { phase: 'running', fleet: p.running.fleet.view() };
      case 'stopping':
      case 'stopped':
        return { phase: p.phase };
      case 'failed':
        return { phase: 'failed', reason: p.reason };
    }
  }

  /**
   * Starts watching the pairs of `configFile` on 127.0.0.1 and a free port; rejects with node-core's error
   * (a UsageError naming the file and field) when it cannot. A first-run start that fails stays quiet (the
   * form shows the error); any other becomes `failed`.
   */
  async start(configFile: string, options: { firstRun?: boolean } = {}): Promise<RunningMonitor> {
    const p = this.#phase;
    if (p.phase === 'starting' || p.phase === 'running' || p.phase === 'stopping') {
      throw new DesktopError('BUSY', `the monitor is already ${p.phase}`);
    }
    const { startMonitor, dataDir, dashboardDir } = this.#options;
    const started = startMonitor(
      ['--config', configFile, '--data-dir', dataDir, '--api-host', '127.0.0.1', '--api-port', '0'],
      // `out` would print the token with the address: the window gets it, the log does not.
      { logger: this.#options.logger ?? createLogger(), out: () => undefined, env: {}, dashboardDir },
    );
    this.#set({ phase: 'starting', started });
    let running: RunningMonitor;
    try {
      running = await started;
    } catch (error) {
      this.#set(
        options.firstRun
          ? { phase: 'idle' }
          : { phase: 'failed', reason: `the monitor could not start: ${describeError(error).message}` },
      );
      throw error;
    }
    const onChange = (): void => {
      if (this.#phase.phase === 'running' && this.#phase.running === running)
        this.emit('changed', this.snapshot);
    };
    running.fleet.on('change', onChange);
    this.#set({ phase: 'running', running, detach: () => running.fleet.off('change', onChange) });
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
        p.detach();
        const stopped = p.running.stop();
        this.#set({ phase: 'stopping', stopped });
        try {
          await stopped;
        } finally {
          this.#set({ phase: 'stopped' });
        }
        return;
      }
      case 'idle':
      case 'stopped':
      case 'failed':
        return;
    }
  }

  #set(phase: Phase): void {
    this.#phase = phase;
    this.emit('changed', this.snapshot);
  }
}
