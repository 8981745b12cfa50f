/**
 * The desktop window switches to the pair's other node (issue 15 item 2, issue 16 item 6): only to the
 * partner its node's peer link names, with that page's CSP; the tray's "Open dashboard" brings the node's
 * own dashboard back. A fake Electron and a fake running node whose status names its peer.
 */
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, fakeRunningNode, flush, startHarness, untilSnapshot } from './desktop-harness.ts';
import { statusView } from './fixtures.ts';

afterEach(cleanupAll);

const PARTNER = 'http://10.0.0.12:8088';

async function desktopWithPartner() {
  const running = fakeRunningNode({ mode: 'master' });
  (running.node as unknown as { statusView: () => unknown }).statusView = () =>
    statusView({ mode: 'master' });
  const harness = startHarness({ configured: true, createNode: () => Promise.resolve(running) });
  harness.electron.app.markReady();
  await harness.desktop.ready;
  await untilSnapshot(harness.desktop, (s) => s.phase === 'running');
  await flush();
  return { ...harness, running };
}

describe('the window switches to the partner node', () => {
  it('loads the partner’s dashboard asked for from the dashboard, with a CSP for that page', async () => {
    const { electron, running } = await desktopWithPartner();
    const own = `${new URL(running.apiUrl).origin}/`;
    const answer = await electron.ipcMain.invoke('window:open-partner', { url: own }, `${PARTNER}/`);
    expect(answer).toEqual({ ok: true, value: null });
    expect(electron.windows).toHaveLength(1);
    expect(electron.windows[0]!.loadedUrls).toEqual([own, `${PARTNER}/`]);
    const csp = electron.session.respond(`${PARTNER}/`, {}).responseHeaders?.['Content-Security-Policy'];
    expect(String(csp)).toContain("connect-src 'self' ws://10.0.0.12:8088");

    electron.tray.choose('Open dashboard');
    expect(electron.windows[0]!.loadedUrls.at(-1)).toBe(own);
    // Back on its own node: the partner's page gets no policy that lets it run any more.
    const after = electron.session.respond(`${PARTNER}/`, {}).responseHeaders?.['Content-Security-Policy'];
    expect(String(after)).toContain("default-src 'none'");
    expect(String(after)).not.toContain('script-src');
  });

  it('the node’s own dashboard may read the partner’s API (the pair view, with the admin token too)', async () => {
    const { electron, running } = await desktopWithPartner();
    const csp = electron.session.respond(`${new URL(running.apiUrl).origin}/`, {}).responseHeaders?.[
      'Content-Security-Policy'
    ];
    expect(String(csp)).toMatch(new RegExp(`connect-src 'self' ws://[^ ;]+ ${PARTNER};`));
  });

  it('a dashboard loaded before the link named the partner is reloaded once, with the partner in its CSP', async () => {
    const running = fakeRunningNode({ mode: 'master' });
    let peerKnown = false;
    const node = running.node as unknown as EventEmitter & { statusView: () => unknown };
    node.statusView = () => statusView({ mode: 'master', ...(peerKnown ? {} : { peer: null }) });
    const { electron, desktop } = startHarness({
      configured: true,
      createNode: () => Promise.resolve(running),
    });
    electron.app.markReady();
    await desktop.ready;
    await untilSnapshot(desktop, (s) => s.phase === 'running');
    await flush();
    electron.tray.choose('Open dashboard');
    const own = `${new URL(running.apiUrl).origin}/`;
    const page = () => String(electron.session.respond(own, {}).responseHeaders?.['Content-Security-Policy']);
    expect(page()).not.toContain(PARTNER);
    const window = electron.windows[0]!;

    node.emit('link', 'connected');
    expect(window.webContents.reloads).toBe(0);
    peerKnown = true;
    node.emit('link', 'connected');
    expect(window.webContents.reloads).toBe(1);
    expect(page()).toContain(PARTNER);
    // Once: the page now has it; later changes of the link do not reload again.
    node.emit('link', 'connected');
    expect(window.webContents.reloads).toBe(1);
  });

  it('refuses any address that is not the partner’s, and any page that is not the dashboard', async () => {
    const { electron, running } = await desktopWithPartner();
    const own = `${new URL(running.apiUrl).origin}/`;
    const elsewhere = await electron.ipcMain.invoke(
      'window:open-partner',
      { url: own },
      'http://10.0.0.99:8088/',
    );
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const notHttp = await electron.ipcMain.invoke('window:open-partner', { url: own }, 'file:///etc/passwd');
    expect(notHttp).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const fromPartnerPage = await electron.ipcMain.invoke('window:open-partner', { url: `${PARTNER}/` }, own);
    expect(fromPartnerPage).toMatchObject({ ok: false });
    expect(electron.windows[0]!.loadedUrls).toEqual([own]);
  });
});
