/**
 * A fake of the Electron surface the desktop logic uses (electron/main/electron-api.ts), recording what is
 * done to it and letting a test play the user and the OS: click a tray item, answer a dialog, send IPC from
 * a page, navigate, quit. The real `electron` module is never loaded (it cannot run on this machine).
 */
import type {
  BrowserWindowConstructorOptions,
  HandlerDetails,
  HeadersReceivedResponse,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  OnHeadersReceivedListenerDetails,
  Settings,
  WindowOpenHandlerResponse,
} from 'electron';
import type {
  AppPort,
  Cancellable,
  DesktopNotification,
  DialogPort,
  ElectronApi,
  HeadersListener,
  InvokeEvent,
  IpcMainPort,
  ProtocolPort,
  SessionPort,
  TrayPort,
  WebContentsPort,
  WindowPort,
} from '../../electron/main/electron-api.ts';

type Listener = (...args: never[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== wrapped),
      );
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])])
      (listener as (...a: unknown[]) => unknown)(...args);
  }

  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** An event whose `preventDefault` is recorded. */
export function cancellable(): Cancellable & { prevented: boolean } {
  const event = {
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

export class FakeApp extends Emitter implements AppPort {
  gotLock = true;
  quitCalls = 0;
  exitCodes: number[] = [];
  loginItems: Settings[] = [];
  appUserModelId: string | null = null;
  isPackaged = false;
  #ready: () => void = () => undefined;
  readonly ready = new Promise<void>((resolve) => {
    this.#ready = resolve;
  });

  readonly userData: string;

  constructor(userData: string) {
    super();
    this.userData = userData;
  }

  markReady(): void {
    this.#ready();
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  getPath(_name: 'userData'): string {
    return this.userData;
  }

  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }

  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }

  setLoginItemSettings(settings: Settings): void {
    this.loginItems.push(settings);
  }

  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItems.at(-1)?.openAtLogin ?? false };
  }

  quit(): void {
    this.quitCalls++;
    // Like Electron: `quit` emits before-quit; a listener may prevent it.
    const event = cancellable();
    this.emit('before-quit', event);
  }

  exit(exitCode = 0): void {
    this.exitCodes.push(exitCode);
  }

  /** The OS or the user quits: before-quit, and whether it was held. */
  beforeQuit(): { prevented: boolean } {
    const event = cancellable();
    this.emit('before-quit', event);
    return event;
  }
}

export class FakeWebContents extends Emitter implements WebContentsPort {
  openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
  sent: { channel: string; args: unknown[] }[] = [];

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  reloads = 0;
  reload(): void {
    this.reloads++;
  }

  /** Plays a navigation; true when the window let it happen. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const e = cancellable();
    this.emit(event, e, url);
    return !e.prevented;
  }

  /** Plays Chromium refusing a page's certificate; true when the window trusted it after all. */
  certificateError(url: string, pem: string): boolean {
    const e = cancellable();
    let trusted: boolean | null = null;
    this.emit(
      'certificate-error',
      e,
      url,
      'net::ERR_CERT_AUTHORITY_INVALID',
      { data: pem },
      (ok: boolean) => {
        trusted = ok;
      },
    );
    if (trusted === null) throw new Error('certificate-error: the callback was not called');
    return trusted && e.prevented;
  }

  /** Plays `window.open(url)`. */
  windowOpen(url: string): WindowOpenHandlerResponse {
    if (!this.openHandler) return { action: 'allow' };
    return this.openHandler({
      url,
      frameName: '',
      features: '',
      disposition: 'new-window',
      referrer: { url: '', policy: 'no-referrer' },
      postBody: undefined,
    } as unknown as HandlerDetails);
  }
}

export class FakeWindow extends Emitter implements WindowPort {
  readonly webContents = new FakeWebContents();
  loadedUrls: string[] = [];
  shown = 0;
  focused = 0;
  closed = false;
  minimized = false;
  loadError: Error | null = null;

  readonly options: BrowserWindowConstructorOptions;

  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    return this.loadError ? Promise.reject(this.loadError) : Promise.resolve();
  }

  show(): void {
    this.shown++;
  }

  focus(): void {
    this.focused++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('closed');
  }

  isDestroyed(): boolean {
    return this.closed;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.minimized = false;
  }
}

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();

  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Plays `ipcRenderer.invoke(channel, input)` from a frame at `url` (null: the frame is gone). */
  invoke(
    channel: string,
    from: { url: string; subFrame?: boolean } | null,
    input?: unknown,
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const event: InvokeEvent = {
      senderFrame: from ? { url: from.url, parent: from.subFrame ? {} : null } : null,
    };
    return handler(event, input);
  }
}

export class FakeDialog implements DialogPort {
  shown: MessageBoxOptions[] = [];
  /** Answers, in order; a pending answer is resolved by `answer()`. */
  #waiting: ((response: number) => void)[] = [];

  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }> {
    this.shown.push(options);
    return new Promise((resolve) => this.#waiting.push((response) => resolve({ response })));
  }

  /** Clicks button `index` of the oldest open dialog. */
  answer(index: number): void {
    const next = this.#waiting.shift();
    if (!next) throw new Error('no dialog is open');
    next(index);
  }

  get open(): number {
    return this.#waiting.length;
  }
}

export class FakeSession implements SessionPort {
  headersListener: HeadersListener | null = null;
  permissionRequest:
    ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: ((webContents: unknown, permission: string) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener | null): void => {
      this.headersListener = listener;
    },
  };

  setPermissionRequestHandler(
    handler:
      ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void {
    this.permissionRequest = handler;
  }

  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void {
    this.permissionCheck = handler;
  }

  /** Plays a response arriving; returns the headers the page gets. */
  respond(url: string, headers: Record<string, string[]>): HeadersReceivedResponse {
    let result: HeadersReceivedResponse = {};
    this.headersListener?.(
      { url, responseHeaders: headers } as unknown as OnHeadersReceivedListenerDetails,
      (r) => {
        result = r;
      },
    );
    return result;
  }
}

export class FakeProtocol implements ProtocolPort {
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
}

export class FakeTray implements TrayPort {
  images: string[] = [];
  tooltips: string[] = [];
  menus: MenuItemConstructorOptions[][] = [];
  clickListeners: (() => void)[] = [];
  destroyed = false;

  constructor(image: string) {
    this.images.push(image);
  }

  setImage(imagePath: string): void {
    this.images.push(imagePath);
  }

  setToolTip(text: string): void {
    this.tooltips.push(text);
  }

  setMenu(template: MenuItemConstructorOptions[]): void {
    this.menus.push(template);
  }

  onClick(listener: () => void): void {
    this.clickListeners.push(listener);
  }

  destroy(): void {
    this.destroyed = true;
  }

  get menu(): MenuItemConstructorOptions[] {
    return this.menus.at(-1) ?? [];
  }

  /** Clicks the menu item with this label. */
  choose(label: string): void {
    const item = this.menu.find((i) => i.label === label);
    if (!item) throw new Error(`no tray menu item "${label}" in ${this.menu.map((i) => i.label).join(', ')}`);
    if (item.enabled === false) throw new Error(`tray menu item "${label}" is disabled`);
    (item.click as () => void)();
  }
}

export class FakeElectron implements ElectronApi {
  readonly app: FakeApp;
  readonly ipcMain = new FakeIpcMain();
  readonly dialog = new FakeDialog();
  readonly session = new FakeSession();
  readonly protocol = new FakeProtocol();
  readonly windows: FakeWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly notifications: (DesktopNotification & { click: () => void })[] = [];
  readonly privilegedSchemes: string[] = [];
  readonly shutdownListeners: ((event: Cancellable) => void)[] = [];
  supportsNotifications = true;

  constructor(userData: string) {
    this.app = new FakeApp(userData);
  }

  registerPrivilegedScheme(scheme: string): void {
    this.privilegedSchemes.push(scheme);
  }

  createWindow(options: BrowserWindowConstructorOptions): FakeWindow {
    const window = new FakeWindow(options);
    this.windows.push(window);
    return window;
  }

  createTray(imagePath: string): FakeTray {
    const tray = new FakeTray(imagePath);
    this.trays.push(tray);
    return tray;
  }

  notificationsSupported(): boolean {
    return this.supportsNotifications;
  }

  showNotification(notification: DesktopNotification, onClick: () => void): void {
    this.notifications.push({ ...notification, click: onClick });
  }

  onSystemShutdown(listener: (event: Cancellable) => void): void {
    this.shutdownListeners.push(listener);
  }

  get tray(): FakeTray {
    const tray = this.trays[0];
    if (!tray) throw new Error('no tray yet');
    return tray;
  }

  /** Windows not closed. */
  openWindows(): FakeWindow[] {
    return this.windows.filter((w) => !w.closed);
  }
}
