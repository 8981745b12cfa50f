/**
 * Runs in electron-main. The typed wrapper around `ipcMain.handle` (after Rancher Desktop's): one handler per
 * channel of the contract, or it does not compile. Each call checks who sent it (the main frame of a page
 * that may use the channel), validates the input with the channel's schema, and answers a Result; a handler
 * never rejects (Podman Desktop's rule), so the renderer always gets a code and a message.
 */
import type { BridgeError, Result } from '../shared/bridge.ts';
import {
  describeInputIssues,
  invokeChannels,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeOutputs,
  type PageKind,
  type ParsedInput,
} from '../shared/ipc-contract.ts';
import { DesktopError, describeError } from './errors.ts';
import type { InvokeEvent, IpcMainPort, WebContentsPort } from './electron-api.ts';
import { isSameSite, type Site } from './window.ts';

export type Handlers = {
  readonly [C in InvokeChannel]: (input: ParsedInput<C>) => Promise<InvokeOutputs[C]> | InvokeOutputs[C];
};

/** The site each page lives on now; `null` while it has none (no node running yet, say). */
export type PageSites = (kind: PageKind) => Site | null;

export function registerIpcHandlers(ipcMain: IpcMainPort, sites: PageSites, handlers: Handlers): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, (event, input) => answer(channel, event, input, sites, handlers));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

export async function answer<C extends InvokeChannel>(
  channel: C,
  event: InvokeEvent,
  input: unknown,
  sites: PageSites,
  handlers: Handlers,
): Promise<Result<InvokeOutputs[C]>> {
  try {
    const spec = invokeChannels[channel];
    const sender = senderPage(event, spec.from, sites);
    if (!sender) {
      return failure({
        code: 'FORBIDDEN_SENDER',
        message: `${channel} may be called only by the ${spec.from.join(' or ')} page`,
      });
    }
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const { message, fields } = describeInputIssues(parsed.error);
      return failure({ code: 'BAD_INPUT', message, fields });
    }
    const handler = handlers[channel] as (value: unknown) => Promise<InvokeOutputs[C]> | InvokeOutputs[C];
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    return failure(toBridgeError(error));
  }
}

/** Main → renderer, typed by the contract's event map. */
export function sendEvent<C extends EventChannel>(
  contents: Pick<WebContentsPort, 'send'>,
  channel: C,
  payload: EventPayload<C>,
): void {
  contents.send(channel, payload);
}

function senderPage(event: InvokeEvent, allowed: readonly PageKind[], sites: PageSites): PageKind | null {
  const frame = event.senderFrame;
  // A sub-frame (an iframe the page did not mean to trust) or a frame already gone may not call anything.
  if (!frame || frame.parent !== null) return null;
  return (
    allowed.find((kind) => {
      const site = sites(kind);
      return site !== null && isSameSite(frame.url, site);
    }) ?? null
  );
}

function toBridgeError(error: unknown): BridgeError {
  const { code, message } = describeError(error);
  if (error instanceof DesktopError && error.fields) return { code, message, fields: error.fields };
  return { code, message };
}

function failure(error: BridgeError): { ok: false; error: BridgeError } {
  return { ok: false, error };
}
