/**
 * Runs in electron-main. Secure windows (style.md 4; Electron's security checklist): isolated, sandboxed, no
 * Node in the page, web security on, a CSP, no new windows, navigation only within the page's own origin,
 * shown on `ready-to-show`. Both Tandem windows (dashboard and first-run) are made here and nowhere else.
 */
import { X509Certificate } from 'node:crypto';
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { ElectronApi, HeadersListener, SessionPort, WindowPort } from './electron-api.ts';

/** The scheme of Tandem's own pages (first-run); registered as standard and secure in index.ts. */
export const APP_SCHEME = 'tandem';

/** Where a page may be: scheme plus host (and port). Works for `tandem://first-run` too, which `URL.origin` calls "null". */
export type Site = string;

export function siteOf(url: string): Site | null {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : null;
  } catch {
    return null;
  }
}

export function isSameSite(url: string, site: Site): boolean {
  return siteOf(url) === site;
}

function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // Middle-click opens links in new windows; those are denied anyway, this stops the attempt.
    disableBlinkFeatures: 'Auxclick',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface WindowSpec {
  readonly url: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly preload: string;
  readonly icon?: string;
  /**
   * A link the page asked to open in a new window (always denied): main may show it in this window instead
   * (the fleet dashboard's click through to a watched pair).
   */
  readonly onOpenRequest?: (url: string) => void;
  /**
   * The fingerprint (SHA-256, lower-case hex) pinned for the https page at `url`, or null. A certificate
   * Chromium refuses (a node's own self-signed one) is let through when it is exactly the pinned one.
   */
  readonly pinnedFingerprint?: (url: string) => string | null;
}

export function secureWindowOptions(spec: WindowSpec): BrowserWindowConstructorOptions {
  return {
    title: spec.title,
    width: spec.width,
    height: spec.height,
    minWidth: Math.min(spec.width, 640),
    minHeight: Math.min(spec.height, 480),
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#111820',
    ...(spec.icon === undefined ? {} : { icon: spec.icon }),
    webPreferences: webPreferences(spec.preload),
  };
}

/**
 * Makes the window, denies window.open, keeps navigation on the page's own site, shows it when painted, and
 * loads the page. `loadURL` failing (node gone) is reported, not thrown: the window stays and can reload.
 */
export function openSecureWindow(
  api: Pick<ElectronApi, 'createWindow'>,
  spec: WindowSpec,
  onLoadFailed: (error: unknown) => void = () => undefined,
): WindowPort {
  const site = siteOf(spec.url);
  if (!site) throw new Error(`not a loadable address: ${spec.url}`);
  const win = api.createWindow(secureWindowOptions(spec));
  const contents = win.webContents;
  // No pop-ups, no new windows, no external browser: the dashboard has nothing to open outside itself.
  contents.setWindowOpenHandler(({ url }) => {
    spec.onOpenRequest?.(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isSameSite(url, site)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isSameSite(url, site)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // security-check: allow CERTIFICATE_ERRORS only the exact certificate the monitor file pins for that node
  contents.on('certificate-error', (event, url, _error, certificate, callback) => {
    const pin = spec.pinnedFingerprint?.(url) ?? null;
    const trusted = pin !== null && fingerprintOf(certificate.data) === pin;
    if (trusted) event.preventDefault();
    callback(trusted);
  });
  win.once('ready-to-show', () => win.show());
  win.loadURL(spec.url).catch(onLoadFailed);
  return win;
}

/** SHA-256 of a PEM certificate as lower-case hex, or null when it is not one. */
function fingerprintOf(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The dashboard's policy: its own origin only, plus the live WebSocket on the same host and port, and the
 * partner node's API when it is known: the dashboard reads the pair as the partner sees it (docs/auth.md
 * "The admin token and the pair view").
 */
export function dashboardCsp(apiUrl: string, partnerApiUrl: string | null = null): string {
  const url = new URL(apiUrl);
  const ws = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  const partner = originOf(partnerApiUrl);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}${partner ? ` ${partner}` : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * The own dashboard's policy names the partner's API as the link named it when the page loaded. A page
 * loaded before the link came up cannot read the pair view (docs/auth.md "The admin token and the pair
 * view"), so it is reloaded once when the partner becomes known, or moves.
 */
export class PartnerAwareCsp {
  #pageHas: string | null = null;

  /** The policy of a response of the own dashboard's site; what the page itself (path /) got is kept. */
  policy(url: string, apiUrl: string, partnerApiUrl: string | null): string {
    if (new URL(url).pathname === '/') this.#pageHas = originOf(partnerApiUrl);
    return dashboardCsp(apiUrl, partnerApiUrl);
  }

  /** True, once per partner origin, when the page lacks the partner the link names now. */
  needsReload(partnerApiUrl: string | null): boolean {
    const partner = originOf(partnerApiUrl);
    if (partner === null || partner === this.#pageHas) return false;
    this.#pageHas = partner;
    return true;
  }
}

/** The origin of an http(s) URL, or null for none or anything else. */
function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** The first-run page: a form, its script and its style sheet, nothing else. */
export const FIRST_RUN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Response headers with ours in place of any CSP the server sent (header names are case-insensitive). */
export function withCsp(
  headers: Record<string, string | string[]> | undefined,
  policy: string,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}

/** For a response the session did not expect: nothing may load or run. */
export const DENY_ALL_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The session's guards: every response gets a CSP chosen by its URL (the node's address is known only once it
 * runs, so `policyFor` is asked per response); no web permission is ever granted.
 */
export function guardSession(session: SessionPort, policyFor: (url: string) => string): void {
  const onHeaders: HeadersListener = (details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, policyFor(details.url)) });
  };
  session.webRequest.onHeadersReceived(onHeaders);
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
