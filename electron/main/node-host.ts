/**
 * Runs in electron-main. Hosts the node in this process, made by node-core's `createNode` exactly as the CLI
 * makes it, and turns its typed events into two of our own: `changed` (a new snapshot for the tray) and
 * `observation` (for the notification rules). Knows whether a stop was asked for, so a node that stops by
 * itself is a fault.
 */
import { EventEmitter } from 'node:events';
import type {
  Clock,
  createNode,
  FailoverEvent,
  LinkState,
  RunningNode,
  SettingsOverrides,
  Status,
  StatusView,
} from '../../node-core/index.ts';
import { HostLifecycle } from './host-lifecycle.ts';
import type { NodeIdentity, Observation } from './notification-rules.ts';
import type { NodeSnapshot } from './tray-state.ts';

export interface NodeHostEvents {
  changed: [snapshot: NodeSnapshot];
  /** `self` is null when there is no node to speak of (it could not start). */
  observation: [observation: Observation, self: NodeIdentity | null];
}

export interface NodeHostOptions {
  readonly createNode: typeof createNode;
  /** `app.getPath('userData')/node`. */
  readonly dataDir: string;
  readonly dashboardDir: string | null;
  readonly clock: Clock;
  /** The default pair name when none is stored (os.hostname()). */
  readonly hostName: string;
}

export interface StartOptions {
  /** Settings from the first-run answers; later starts use what the node stored. */
  readonly settings?: SettingsOverrides;
  /** A first-run start that fails goes back to `unconfigured` quietly: the form shows the error. */
  readonly firstRun?: boolean;
}

export class NodeHost extends EventEmitter<NodeHostEvents> {
  readonly #options: NodeHostOptions;
  readonly #life = new HostLifecycle<RunningNode>({
    what: 'node',
    changed: () => this.emit('changed', this.snapshot),
    attach: (running) => this.#attach(running),
  });

  constructor(options: NodeHostOptions) {
    super();
    this.#options = options;
  }

  get running(): RunningNode | null {
    return this.#life.running;
  }

  get snapshot(): NodeSnapshot {
    const p = this.#life.phase;
    switch (p.phase) {
      case 'idle':
      case 'starting':
        return { phase: 'starting' };
      case 'unconfigured':
      case 'stopped':
        return { phase: p.phase };
      case 'failed':
        return { phase: 'failed', reason: p.reason };
      case 'running':
        return { phase: 'running', view: p.running.node.statusView() };
      case 'stopping':
        return { phase: 'stopping', view: viewOrNull(p.running) };
    }
  }

  markUnconfigured(): void {
    this.#life.set({ phase: 'unconfigured' });
  }

  /** Starts the node; rejects with node-core's error (a TandemError with a code) when it cannot. */
  start(options: StartOptions = {}): Promise<RunningNode> {
    const { createNode, dataDir, dashboardDir, clock, hostName } = this.#options;
    const begin = (): Promise<RunningNode> =>
      createNode(
        {
          dataDir,
          dashboardDir,
          ...(options.settings === undefined ? {} : { settings: options.settings }),
        },
        { clock, hostName },
      );
    return this.#life.start(
      begin,
      options.firstRun
        ? { quietFailure: 'unconfigured' }
        : { failed: (reason) => this.emit('observation', { type: 'fault', reason }, null) },
    );
  }

  /**
   * Clean stop (docs/rules.md "Roles 4": an active node hands over first). Idempotent; waits for a start
   * under way.
   */
  stop(): Promise<void> {
    return this.#life.stop();
  }

  #attach(running: RunningNode): void {
    const { node } = running;
    const self: NodeIdentity = { nodeId: node.nodeId, name: node.settings.name };
    const changed = (): void => {
      const phase = this.#life.phase.phase;
      if (phase === 'running' || phase === 'stopping') this.emit('changed', this.snapshot);
    };
    node.on('status', (status: Status, reason: string) => {
      this.emit('observation', { type: 'status', status, reason }, self);
      changed();
    });
    node.on('event', (event: FailoverEvent) => {
      this.emit('observation', { type: 'event', event }, self);
      changed();
    });
    node.on('link', (_state: LinkState) => changed());
    node.on('stopped', () => {
      const reason = 'the node stopped unexpectedly';
      if (this.#life.failUnasked(running, reason)) {
        this.emit('observation', { type: 'fault', reason }, self);
        running.stop().catch(() => undefined);
      }
    });
  }
}

function viewOrNull(running: RunningNode): StatusView | null {
  try {
    return running.node.statusView();
  } catch {
    // The store may already be closed at the very end of a stop.
    return null;
  }
}
