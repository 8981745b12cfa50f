/**
 * Runs in electron-main. Quitting (Podman Desktop's `before-quit`, which waits for its engine): an active node
 * asks first, because quitting moves the active role (docs/rules.md "Roles 4": `running.stop()` hands over
 * before it returns). Confirmed, the quit is held until the node has stopped, then the app exits. Cancelled,
 * nothing stops. A system shutdown does not ask: it stops cleanly, handing over, in the time the OS gives.
 */
import type { MessageBoxOptions } from 'electron';
import type { StatusView } from '../../node-core/index.ts';
import type { AppPort, Cancellable, DialogPort } from './electron-api.ts';
import type { NodeSnapshot } from './tray-state.ts';

export interface QuitDeps {
  readonly app: Pick<AppPort, 'exit'>;
  readonly dialog: DialogPort;
  readonly node: { readonly snapshot: NodeSnapshot; stop(): Promise<void> };
  /** Last things before exit: timers, tray. */
  readonly beforeExit: () => void;
  readonly log: (message: string) => void;
}

type QuitState = 'idle' | 'confirming' | 'stopping' | 'done';

export const CONFIRM_BUTTON = 0;
export const CANCEL_BUTTON = 1;

export class QuitFlow {
  readonly #deps: QuitDeps;
  #state: QuitState = 'idle';
  #running: Promise<void> = Promise.resolve();

  constructor(deps: QuitDeps) {
    this.#deps = deps;
  }

  get state(): QuitState {
    return this.#state;
  }

  /** The quit under way (for tests and for a second instance that asks to quit). */
  get settled(): Promise<void> {
    return this.#running;
  }

  /** `app.on('before-quit')`: Electron does not wait for promises, so hold the quit and exit ourselves. */
  onBeforeQuit(event: Cancellable): void {
    if (this.#state === 'done') return;
    event.preventDefault();
    if (this.#state !== 'idle') return;
    const snapshot = this.#deps.node.snapshot;
    const view = snapshot.phase === 'running' ? snapshot.view : null;
    this.#running = view?.node.status === 'active' ? this.#confirmThenStop(view) : this.#stopAndExit();
  }

  /** The OS is going down: no question, just the clean stop with its hand-over. */
  onSystemShutdown(event: Cancellable): void {
    if (this.#state === 'done') return;
    event.preventDefault();
    if (this.#state === 'stopping') return;
    this.#running = this.#stopAndExit();
  }

  async #confirmThenStop(view: StatusView): Promise<void> {
    this.#state = 'confirming';
    let response: number;
    try {
      ({ response } = await this.#deps.dialog.showMessageBox(confirmQuitOptions(view)));
    } catch (error) {
      this.#deps.log(`quit dialog failed: ${String(error)}`);
      response = CANCEL_BUTTON;
    }
    // The OS may have asked to shut down while the dialog was open: that stop wins.
    if (this.#state !== 'confirming') return;
    if (response !== CONFIRM_BUTTON) {
      this.#state = 'idle';
      return;
    }
    await this.#stopAndExit();
  }

  async #stopAndExit(): Promise<void> {
    this.#state = 'stopping';
    let code = 0;
    try {
      await this.#deps.node.stop();
    } catch (error) {
      this.#deps.log(`node did not stop cleanly: ${String(error)}`);
      code = 1;
    }
    this.#state = 'done';
    this.#deps.beforeExit();
    this.#deps.app.exit(code);
  }
}

/** What the operator is told before an active node quits: where the active role goes, or that none will have it. */
export function confirmQuitOptions(view: StatusView): MessageBoxOptions {
  const peer = view.peer;
  const peerMode = view.node.mode === 'master' ? 'backup' : 'master';
  let detail: string;
  let confirm: string;
  if (!peer) {
    detail = 'This gateway is independent: nothing will process data until Tandem starts again.';
    confirm = 'Stop and quit';
  } else if (peer.link === 'connected' && peer.status === 'standby') {
    detail = `The ${peerMode} takes over at once: this node hands over before it stops.`;
    confirm = 'Hand over and quit';
  } else {
    detail = `The ${peerMode} is not connected as standby: after quitting, the pair has NO active node.`;
    confirm = 'Quit anyway';
  }
  return {
    type: 'warning',
    title: 'Quit Tandem',
    message: `This node (${view.node.name}, ${view.node.mode}) is active.`,
    detail,
    buttons: [confirm, 'Cancel'],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true,
  };
}
