/**
 * Runs in electron-main. The part of Electron the desktop logic uses, as narrow ports. Only the composition
 * root (index.ts) loads the real `electron` module and checks, by type, that it fits these ports; the tests
 * pass a fake with the same shape (test/electron/fake-electron.ts). Everything here is `import type`.
 */
import type {
  BrowserWindowConstructorOptions,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  MessageBoxReturnValue,
  OnHeadersReceivedListenerDetails,
  HeadersReceivedResponse,
  HandlerDetails,
  WindowOpenHandlerResponse,
  Settings,
  LoginItemSettings,
} from 'electron';

/** What a listener may cancel: Electron's `Event`, narrowed. */
export interface Cancellable {
  preventDefault(): void;
}

export interface AppPort {
  whenReady(): Promise<void>;
  on(event: 'before-quit', listener: (event: Cancellable) => void): unknown;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  getPath(name: 'userData'): string;
  requestSingleInstanceLock(): boolean;
  setAppUserModelId(id: string): void;
  setLoginItemSettings(settings: Settings): void;
  getLoginItemSettings(): Pick<LoginItemSettings, 'openAtLogin'>;
  quit(): void;
  exit(exitCode?: number): void;
  readonly isPackaged: boolean;
}

/** The frame that sent an IPC message; `null` when it navigated away or was destroyed meanwhile. */
interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null;
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface DialogPort {
  showMessageBox(options: MessageBoxOptions): Promise<Pick<MessageBoxReturnValue, 'response'>>;
}

export interface WebContentsPort {
  on(event: 'will-navigate', listener: (event: Cancellable, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: Cancellable, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Cancellable) => void): unknown;
  on(
    event: 'certificate-error',
    listener: (
      event: Cancellable,
      url: string,
      error: string,
      certificate: { readonly data: string },
      callback: (isTrusted: boolean) => void,
    ) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
}

export interface WindowPort {
  readonly webContents: WebContentsPort;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  close(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
}

export type HeadersListener = (
  details: OnHeadersReceivedListenerDetails,
  callback: (response: HeadersReceivedResponse) => void,
) => void;

export interface SessionPort {
  readonly webRequest: { onHeadersReceived(listener: HeadersListener | null): void };
  setPermissionRequestHandler(
    handler:
      ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface ProtocolPort {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface TrayPort {
  setImage(imagePath: string): void;
  setToolTip(text: string): void;
  setMenu(template: MenuItemConstructorOptions[]): void;
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
}

/** Everything the main-process logic may touch. */
export interface ElectronApi {
  readonly app: AppPort;
  readonly ipcMain: IpcMainPort;
  readonly dialog: DialogPort;
  /** The default session, where the dashboard window lives. */
  readonly session: SessionPort;
  readonly protocol: ProtocolPort;
  /** Must run before `app.whenReady()`; makes `scheme://` a standard, secure origin for the first-run page. */
  registerPrivilegedScheme(scheme: string): void;
  createWindow(options: BrowserWindowConstructorOptions): WindowPort;
  createTray(imagePath: string): TrayPort;
  notificationsSupported(): boolean;
  showNotification(notification: DesktopNotification, onClick: () => void): void;
  /** The OS is shutting down or the user logs off: `preventDefault` asks for time to stop cleanly. */
  onSystemShutdown(listener: (event: Cancellable) => void): void;
}
