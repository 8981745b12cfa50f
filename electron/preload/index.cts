/**
 * Runs in electron-preload, sandboxed. Why `.cts`: a sandboxed preload is evaluated as a CommonJS script and
 * may `require` nothing but 'electron' (and a few Node builtins), never a file of ours. So this file is
 * self-contained; it imports types only, which erase, and the channel names it uses are checked against the
 * contract by the compiler (each call is typed by `InvokeChannel`) and by a test that runs it.
 *
 * It exposes named functions on `window.tandem` (bridge.ts), never `ipcRenderer` itself (style.md 3).
 * Main encodes failures as Results; here they are rebuilt (Podman Desktop's pattern): a rejection with
 * `CODE: message`, except `submitFirstRun`, whose wrong fields are an answer the form shows.
 */
import type {
  DashboardRoute,
  DesktopPreferences,
  FirstRunAnswers,
  Result,
  TandemBridge,
} from '../shared/bridge.ts';
import type { EventChannel, InvokeChannel, InvokeOutputs } from '../shared/ipc-contract.ts';

// A sandboxed preload is CommonJS and may require only 'electron': an import statement cannot be used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

function call<C extends InvokeChannel>(channel: C, input?: unknown): Promise<Result<InvokeOutputs[C]>> {
  return ipcRenderer.invoke(channel, input) as Promise<Result<InvokeOutputs[C]>>;
}

async function value<C extends InvokeChannel>(channel: C, input?: unknown): Promise<InvokeOutputs[C]> {
  const result = await call(channel, input);
  if (result.ok) return result.value;
  throw new Error(`${result.error.code}: ${result.error.message}`);
}

function listen<C extends EventChannel>(channel: C, listener: (payload: unknown) => void): () => void {
  const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const ROUTES: readonly DashboardRoute[] = ['overview', 'certificates', 'history', 'conflicts'];

const bridge: TandemBridge = {
  getConnection: () => value('connection:get'),
  openDashboard: async () => {
    await value('window:open-dashboard');
  },
  openPartner: async (url: string) => {
    await value('window:open-partner', url);
  },
  getFirstRunDefaults: () => value('first-run:get-defaults'),
  submitFirstRun: (answers: FirstRunAnswers) => call('first-run:submit', answers),
  getPreferences: () => value('preferences:get'),
  setPreferences: (preferences: DesktopPreferences) => value('preferences:set', preferences),
  onNavigate: (listener) =>
    listen('window:navigate', (payload) => {
      // Only the event's payload crosses, and only when it is a route the dashboard knows.
      if (typeof payload === 'string' && (ROUTES as readonly string[]).includes(payload)) {
        listener(payload as DashboardRoute);
      }
    }),
};

contextBridge.exposeInMainWorld('tandem', bridge);
