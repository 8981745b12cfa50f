/**
 * Runs in electron-main. Hosts the fleet monitor (docs/monitor.md) in this process, started by node-core's
 * `startMonitor` exactly as `tandem-node monitor` starts it, for the desktop app's "Monitor pairs" mode. Turns
 * its fleet into one event of our own, `changed` (a new snapshot for the tray and the notifications): the
 * in-process monitor says when the fleet changes, so nothing polls its HTTP API.
 */
import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../../node-core/logging.ts';
import type { FleetView, RunningMonitor, startMonitor } from '../../node-core/monitor/index.ts';
import { HostLifecycle } from './host-lifecycle.ts';

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

export class MonitorHost extends EventEmitter<{ changed: [snapshot: MonitorSnapshot] }> {
  readonly #options: MonitorHostOptions;
  readonly #life = new HostLifecycle<RunningMonitor>({
    what: 'monitor',
    changed: () => this.emit('changed', this.snapshot),
    attach: (running) => {
      const onChange = (): void => {
        if (this.#life.running === running) this.emit('changed', this.snapshot);
      };
      running.fleet.on('change', onChange);
      return () => running.fleet.off('change', onChange);
    },
  });

  constructor(options: MonitorHostOptions) {
    super();
    this.#options = options;
  }

  get running(): RunningMonitor | null {
    return this.#life.running;
  }

  get snapshot(): MonitorSnapshot {
    const p = this.#life.phase;
    switch (p.phase) {
      case 'idle':
      case 'unconfigured':
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
  start(configFile: string, options: { firstRun?: boolean } = {}): Promise<RunningMonitor> {
    const { startMonitor, dataDir, dashboardDir } = this.#options;
    return this.#life.start(
      () =>
        startMonitor(
          ['--config', configFile, '--data-dir', dataDir, '--api-host', '127.0.0.1', '--api-port', '0'],
          // `out` would print the token with the address: the window gets it, the log does not.
          { logger: this.#options.logger ?? createLogger(), out: () => undefined, env: {}, dashboardDir },
        ),
      options.firstRun ? { quietFailure: 'idle' } : {},
    );
  }

  /** Idempotent; waits for a start under way. */
  stop(): Promise<void> {
    return this.#life.stop();
  }
}
