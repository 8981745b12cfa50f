/**
 * Runs nowhere: types only. What the preload puts on `window.tandem`, for the renderer and the first-run page
 * to `import type`. No imports, so a browser-side program can include it without pulling in zod or Electron.
 *
 * The dashboard gets the node's API address and token here, then talks to the node's HTTP/WebSocket API
 * directly (style.md 2): everything else on this bridge is a desktop concern.
 */

/** Where the node's API is and the token that opens it. */
export interface Connection {
  readonly apiUrl: string;
  readonly token: string;
}

/** An IPC answer: handlers never reject, they encode the failure (style.md 3). */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BridgeError };

export interface BridgeError {
  /** Stable: BAD_INPUT, FORBIDDEN_SENDER, NOT_RUNNING, BUSY, PORT_TAKEN, USAGE, INTERNAL, … */
  readonly code: string;
  /** For an operator; names the field when one is wrong. */
  readonly message: string;
  /** Field name → what is wrong with it, when the input named fields (first-run form). */
  readonly fields?: Readonly<Record<string, string>>;
}

/** What the first-run window asks: what this PC is in the pair. */
export type FirstRunAnswers =
  | { readonly mode: 'independent'; readonly name: string; readonly apiPort: number }
  | { readonly mode: 'master'; readonly name: string; readonly apiPort: number; readonly peerPort: number }
  | {
      readonly mode: 'backup';
      readonly name: string;
      readonly apiPort: number;
      readonly masterHost: string;
      readonly masterPort: number;
    }
  /** "Monitor pairs": this PC runs no node, it watches the pairs listed in a monitor file (docs/monitor.md). */
  | { readonly mode: 'monitor'; readonly configFile: string };

export interface FirstRunDefaults {
  /** Suggested pair name (this PC's host name); both PCs of a pair must use the same one. */
  readonly name: string;
  readonly apiPort: number;
  readonly peerPort: number;
  readonly masterPort: number;
}

/**
 * What the first-run page shows once the node is up: the fingerprint lets the operator check the peer's prompt.
 * Or, in "Monitor pairs" mode, how many pairs the monitor watches.
 */
export type FirstRunStarted =
  | {
      readonly mode: 'independent' | 'master' | 'backup';
      readonly name: string;
      readonly fingerprint: string;
      readonly apiUrl: string;
    }
  | { readonly mode: 'monitor'; readonly pairs: number; readonly apiUrl: string };

export interface DesktopPreferences {
  /** Start Tandem (in the tray, no window) when the operator logs in. */
  readonly openAtLogin: boolean;
}

/** Dashboard routes main may ask the window to show (renderer/src/lib/router.svelte.ts). */
export type DashboardRoute = 'overview' | 'certificates' | 'history' | 'conflicts';

/** `window.tandem`. Functions reject with an Error `CODE: message` unless they return a Result on purpose. */
export interface TandemBridge {
  getConnection(): Promise<Connection>;
  openDashboard(): Promise<void>;
  /**
   * Switches the window to the partner node's dashboard (the pair's other node, as this node's peer link names
   * it); rejects for any other address. The tray's "Open dashboard" switches it back.
   */
  openPartner(url: string): Promise<void>;
  getFirstRunDefaults(): Promise<FirstRunDefaults>;
  /** A Result, not a rejection: a wrong field is an expected answer the form shows next to the field. */
  submitFirstRun(answers: FirstRunAnswers): Promise<Result<FirstRunStarted>>;
  getPreferences(): Promise<DesktopPreferences>;
  setPreferences(preferences: DesktopPreferences): Promise<DesktopPreferences>;
  /** Main asks the dashboard to show a route (a notification was clicked). Returns the unsubscribe. */
  onNavigate(listener: (route: DashboardRoute) => void): () => void;
}
