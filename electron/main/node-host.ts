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
import { DesktopError, describeError } from './errors.ts';
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

type Phase =
  | { readonly phase: 'unconfigured' }
  | { readonly phase: 'idle' }
  | { readonly phase: 'starting'; readonly started: Promise<RunningNode> }
  | { readonly phase: 'running'; readonly running: RunningNode }
  | { readonly phase: 'stopping'; readonly running: RunningNode; readonly stopped: Promise<void> }
  | { readonly phase: 'stopped' }
  | { readonly phase: 'failed'; readonly reason: string };

export interface StartOptions {
  /** Settings from the first-run answers; later starts use what the node stored. */
  readonly settings?: SettingsOverrides;
  /** A first-run start that fails goes back to `unconfigured` quietly: the form shows the error. */
  readonly firstRun?: boolean;
}

export class NodeHost extends EventEmitter<NodeHostEvents> {
  readonly #options: NodeHostOptions;
  #phase: Phase = { phase: 'idle' };

  constructor(options: NodeHostOptions) {
    super();
    this.#options = options;
  }

  get running(): RunningNode | null {
    return this.#phase.phase === 'running' ? this.#phase.running : null;
  }

  get snapshot(): NodeSnapshot {
    const p = this.#phase;
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
    this.#set({ phase: 'unconfigured' });
  }

  /** Starts the node; rejects with node-core's error (a TandemError with a code) when it cannot. */
  async start(options: StartOptions = {}): Promise<RunningNode> {
    const p = this.#phase;
    if (p.phase === 'starting' || p.phase === 'running' || p.phase === 'stopping') {
      throw new DesktopError('BUSY', `the node is already ${p.phase === 'running' ? 'running' : p.phase}`);
    }
    const { createNode, dataDir, dashboardDir, clock, hostName } = this.#options;
    const started = createNode(
      {
        dataDir,
        dashboardDir,
        ...(options.settings === undefined ? {} : { settings: options.settings }),
      },
      { clock, hostName },
    );
    this.#set({ phase: 'starting', started });
    let running: RunningNode;
    try {
      running = await started;
    } catch (error) {
      if (options.firstRun) {
        this.#set({ phase: 'unconfigured' });
      } else {
        const reason = `the node could not start: ${describeError(error).message}`;
        this.#set({ phase: 'failed', reason });
        this.emit('observation', { type: 'fault', reason }, null);
      }
      throw error;
    }
    this.#attach(running);
    this.#set({ phase: 'running', running });
    return running;
  }

  /**
   * Clean stop (docs/rules.md "Roles 4": an active node hands over first). Idempotent; waits for a start
   * under way.
   */
  async stop(): Promise<void> {
    const p = this.#phase;
    switch (p.phase) {
      case 'starting':
        await p.started.catch(() => undefined);
        return this.stop();
      case 'stopping':
        return p.stopped;
      case 'running': {
        const stopped = p.running.stop();
        this.#set({ phase: 'stopping', running: p.running, stopped });
        try {
          await stopped;
        } finally {
          this.#set({ phase: 'stopped' });
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

  #attach(running: RunningNode): void {
    const { node } = running;
    const self: NodeIdentity = { nodeId: node.nodeId, name: node.settings.name };
    const changed = (): void => {
      if (this.#phase.phase === 'running' || this.#phase.phase === 'stopping')
        this.emit('changed', this.snapshot);
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
      // A stop the desktop asked for passes through `stopping`; any other is the node dying under us.
      if (this.#phase.phase === 'running' && this.#phase.running === running) {
        const reason = 'the node stopped unexpectedly';
        this.#set({ phase: 'failed', reason });
        this.emit('observation', { type: 'fault', reason }, self);
        running.stop().catch(() => undefined);
      }
    });
  }

  #set(phase: Phase): void {
    this.#phase = phase;
    this.emit('changed', this.snapshot);
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
