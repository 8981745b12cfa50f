/**
 * Runs in electron-main (the schemas); the preload and pages import its types only.
 *
 * The one IPC contract (style.md 3, after Rancher Desktop's one IPC type file): a channel map per direction,
 * `area:verb` names, a zod schema for every input, which pages may call each channel, and what each answers.
 */
import { z } from 'zod';
import type {
  Connection,
  DashboardRoute,
  DesktopPreferences,
  FirstRunAnswers,
  FirstRunDefaults,
  FirstRunStarted,
} from './bridge.ts';

/** The pages that may talk to main: the node's dashboard, and the first-run window (tandem://first-run). */
export type PageKind = 'dashboard' | 'first-run';

const nothing = z.undefined({ error: 'takes no input' });

const port = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be between 1 and 65535' })
  .max(65535, { error: 'must be between 1 and 65535' });

const pairName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' })
  .max(128, { error: 'must be 128 characters or fewer' });

const host = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required', abort: true })
  .refine(isHostOrAddress, { error: 'is not a host name or IP address' });

const firstRunAnswersSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('independent'), name: pairName, apiPort: port }),
    z.strictObject({ mode: z.literal('master'), name: pairName, apiPort: port, peerPort: port }),
    z.strictObject({
      mode: z.literal('backup'),
      name: pairName,
      apiPort: port,
      masterHost: host,
      masterPort: port,
    }),
    z.strictObject({
      mode: z.literal('monitor'),
      configFile: z
        .string({ error: 'is required' })
        .trim()
        .min(1, { error: 'is required' })
        .max(4096, { error: 'must be 4096 characters or fewer' }),
    }),
  ],
  { error: 'must be independent, master, backup or monitor' },
) satisfies z.ZodType<FirstRunAnswers>;

const preferencesSchema = z.strictObject({
  openAtLogin: z.boolean({ error: 'must be true or false' }),
}) satisfies z.ZodType<DesktopPreferences>;

const dashboardRouteSchema = z.enum([
  'overview',
  'certificates',
  'history',
  'conflicts',
]) satisfies z.ZodType<DashboardRoute>;

/** The partner node's dashboard, which the window may switch to (an http or https address). */
const partnerUrlSchema = z
  .string({ error: 'must be an address' })
  .max(2048, { error: 'must be 2048 characters or fewer' })
  .refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), {
    error: 'must be an http or https address',
  });

/** Renderer → main, request and answer (`ipcRenderer.invoke` / `ipcMain.handle`). */
export const invokeChannels = {
  'connection:get': { from: ['dashboard'], input: nothing },
  'window:open-dashboard': { from: ['first-run', 'dashboard'], input: nothing },
  'window:open-partner': { from: ['dashboard'], input: partnerUrlSchema },
  'first-run:get-defaults': { from: ['first-run'], input: nothing },
  'first-run:submit': { from: ['first-run'], input: firstRunAnswersSchema },
  'preferences:get': { from: ['dashboard'], input: nothing },
  'preferences:set': { from: ['dashboard'], input: preferencesSchema },
} as const satisfies Record<string, { from: readonly PageKind[]; input: z.ZodType }>;

export type InvokeChannel = keyof typeof invokeChannels;
export type ParsedInput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['input']>;

/** What each channel answers with, inside `Result` (bridge.ts). */
export interface InvokeOutputs {
  'connection:get': Connection;
  'window:open-dashboard': null;
  'window:open-partner': null;
  'first-run:get-defaults': FirstRunDefaults;
  'first-run:submit': FirstRunStarted;
  'preferences:get': DesktopPreferences;
  'preferences:set': DesktopPreferences;
}

/** Main → renderer, one way (`webContents.send` / `ipcRenderer.on`). */
export const eventChannels = {
  'window:navigate': { to: 'dashboard', payload: dashboardRouteSchema },
} as const satisfies Record<string, { to: PageKind; payload: z.ZodType }>;

export type EventChannel = keyof typeof eventChannels;
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]['payload']>;

/** `^[a-z-]+:[a-z-]+$`: the `area:verb` rule, checked by a test over both maps. */
export const CHANNEL_NAME = /^[a-z][a-z-]*:[a-z][a-z-]*$/;

/** Turns zod issues into `field: problem; field: problem` and a field → problem map. */
export function describeInputIssues(error: z.ZodError): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const parts: string[] = [];
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.map(String).join('.')];
    for (const key of keys) {
      const field = key === '' ? 'input' : key;
      const problem = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
      fields[field] ??= problem;
      parts.push(`${field}: ${problem}`);
    }
  }
  return { message: parts.join('; '), fields };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A DNS name (RFC 1123 labels), an IPv4 address, or an IPv6 address (bare or in brackets). */
export function isHostOrAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (value.includes(':')) {
    const bare = value.replace(/^\[(.*)\]$/, '$1');
    if (!/^[0-9a-f:.]+$/i.test(bare)) return false;
    try {
      return new URL(`http://[${bare}]/`).hostname.length > 2;
    } catch {
      return false;
    }
  }
  if (value.length > 253 || /^[\d.]+$/.test(value)) return false;
  return value
    .replace(/\.$/, '')
    .split('.')
    .every((label) => HOST_LABEL.test(label));
}
