/**
 * One trusted pair, watched through its dashboards from forming to losing its master: the overview, the
 * keyboard, screen sizes, an alarm acknowledged, every screen under the CSP, the first paint, and last a
 * kill -9 of the master. The tests run in this order and share the pair (starting one costs seconds).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Pair } from '../integration/harness.ts';
import {
  launchBrowser,
  navigation,
  nodesCell,
  openDashboard,
  SHOWN,
  tabTo,
  type Dashboard,
} from './browser.ts';
import { describeFirstPaint, measureFirstPaint } from './first-paint.ts';
import { startPair } from './nodes.ts';

let browser: Browser;
let pair: Pair;
const opened: Dashboard[] = [];

beforeAll(async () => {
  // Not waiting for the pair to form: the first test watches that happen on screen.
  [browser, pair] = await Promise.all([launchBrowser(), startPair({ formed: false })]);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

afterAll(async () => {
  await browser?.close();
  await pair?.stop();
});

async function dashboardOf(
  node: Pair['master'],
  viewport?: { width: number; height: number },
): Promise<Dashboard> {
  const dashboard = await openDashboard(browser, node, viewport);
  opened.push(dashboard);
  return dashboard;
}

describe('Overview', () => {
  it('shows both nodes once the pair forms: the master Running, the backup Standby', async () => {
    const atMaster = await dashboardOf(pair.master);
    const atBackup = await dashboardOf(pair.backup);

    for (const { page } of [atMaster, atBackup]) {
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: SHOWN });
      await expect.poll(() => nodesCell(page, 'Name', 0), { timeout: SHOWN }).toBe('line-1');
      await expect.poll(() => nodesCell(page, 'Name', 1), { timeout: SHOWN }).toBe('line-1');
    }
    await expect.poll(() => nodesCell(atMaster.page, 'Mode', 0), { timeout: SHOWN }).toBe('Master');
    await expect.poll(() => nodesCell(atMaster.page, 'Mode', 1), { timeout: SHOWN }).toBe('Backup');
    await expect.poll(() => nodesCell(atMaster.page, 'Status', 0), { timeout: SHOWN }).toBe('Running');
    await expect.poll(() => nodesCell(atMaster.page, 'Status', 1), { timeout: SHOWN }).toBe('Standby');
    await expect.poll(() => nodesCell(atBackup.page, 'Status', 0), { timeout: SHOWN }).toBe('Standby');
    await expect.poll(() => nodesCell(atBackup.page, 'Status', 1), { timeout: SHOWN }).toBe('Running');

    const link = atMaster.page.getByRole('region', { name: 'Peer link' });
    await link.getByText('Connected', { exact: true }).waitFor({ timeout: SHOWN });
    const license = atMaster.page.getByRole('region', { name: 'License comparison' });
    await license.getByText('Match', { exact: true }).waitFor({ timeout: SHOWN });
    // The header names the node and what it is doing, on every screen.
    await expect
      .poll(() => atBackup.page.getByRole('banner').textContent())
      .toMatch(/line-1\s*Backup\s*Standby/);
    await expect.poll(() => atMaster.page.title()).toBe('line-1 — Tandem');

    await atMaster.screenshot('overview-master');
    await atBackup.screenshot('overview-backup');
    expect(atMaster.problems).toEqual([]);
    expect(atBackup.problems).toEqual([]);
  });

  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 3840, height: 2160 },
  ]) {
    it(`at ${viewport.width}×${viewport.height} fits the width (no horizontal scroll)`, async () => {
      const dashboard = await dashboardOf(pair.master, viewport);
      const { page } = dashboard;
      await expect.poll(() => nodesCell(page, 'Status', 1), { timeout: SHOWN }).toBe('Standby');
      const width = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(width.scroll).toBeLessThanOrEqual(width.client);
      await dashboard.screenshot(`overview-${viewport.width}x${viewport.height}`);
      expect(dashboard.problems).toEqual([]);
    });
  }
});

describe('Keyboard', () => {
  it('Tab reaches the main navigation first, and Enter on a link opens its screen', async () => {
    const { page, problems } = await dashboardOf(pair.master);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: SHOWN });
    const screens = navigation(page);
    // Right after the skip link, the keyboard is in the navigation, on its first screen.
    expect(await tabTo(page, screens.getByRole('link').first())).toBeLessThanOrEqual(3);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Overview');
    await tabTo(page, screens.getByRole('link', { name: 'Failover history' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Failover history' }).waitFor({ timeout: SHOWN });
    expect(problems).toEqual([]);
  });
});

describe('Alarms', () => {
  it('an alarm raised by a tag value is acknowledged on the Alarms screen; both nodes show who did it', async () => {
    const { master, backup } = pair;
    // Configuration through the API, as an engineering tool would: a memory tag and a high alarm on it.
    const tag = await master.api('PUT', '/api/config/tags/boiler.temp', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    expect(tag.status).toBe(200);
    const rule = await master.api('PUT', '/api/config/alarm-rules/boiler.hot', {
      tag: 'boiler.temp',
      condition: 'high',
      threshold: 90,
      deadband: 2,
      priority: 'critical',
    });
    expect(rule.status).toBe(200);
    expect((await master.api('POST', '/api/tags/boiler.temp/write', { value: 95 })).status).toBe(200);

    const dashboard = await dashboardOf(master);
    const { page } = dashboard;
    await dashboard.open('Alarms');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /boiler\.hot/ }) });
    const acknowledge = row.getByRole('button', { name: /Acknowledge/ });
    await acknowledge.waitFor({ timeout: SHOWN });
    await expect.poll(() => row.textContent(), { timeout: SHOWN }).toMatch(/unacknowledged/i);
    await dashboard.screenshot('alarms-raised');

    // Every acknowledgement records who made it.
    const operator = page.getByRole('textbox', { name: /operator/i });
    if ((await operator.count()) > 0) await operator.fill('night shift');
    await acknowledge.click();

    await acknowledge.waitFor({ state: 'detached', timeout: SHOWN });
    await expect.poll(() => row.textContent(), { timeout: SHOWN }).toContain('night shift');
    expect(await row.textContent()).not.toMatch(/unacknowledged/i);
    await dashboard.screenshot('alarms-acknowledged');

    // Replicated: the backup's Alarms screen shows the same acknowledgement, nothing left to acknowledge.
    const atBackup = await dashboardOf(backup);
    await atBackup.open('Alarms');
    const backupRow = atBackup.page
      .getByRole('row')
      .filter({ has: atBackup.page.getByRole('rowheader', { name: /boiler\.hot/ }) });
    await expect.poll(() => backupRow.textContent(), { timeout: SHOWN }).toContain('night shift');
    expect(await backupRow.getByRole('button', { name: /Acknowledge/ }).count()).toBe(0);

    expect(dashboard.problems).toEqual([]);
    expect(atBackup.problems).toEqual([]);
  });
});

describe('Every screen', () => {
  it('is served under a strict CSP (no inline styles or scripts allowed)', async () => {
    const response = await fetch(`${pair.master.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("script-src 'self'");
  });

  for (const role of ['master', 'backup'] as const) {
    it(`renders on the ${role} without CSP violations or console errors`, async () => {
      const dashboard = await dashboardOf(pair[role]);
      const { page } = dashboard;
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: SHOWN });
      // Every screen the navigation offers, including ones added after this test was written.
      const links = navigation(page).getByRole('link');
      await links.first().waitFor({ timeout: SHOWN });
      const count = await links.count();
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        const link = links.nth(i);
        await link.click();
        await expect.poll(() => link.getAttribute('aria-current'), { timeout: SHOWN }).toBe('page');
        const heading = page.getByRole('heading', { level: 1 });
        await heading.waitFor({ timeout: SHOWN });
        // The screen's data has arrived: no loading placeholder is left.
        await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: SHOWN });
        const name = ((await heading.textContent()) ?? `screen-${i}`).trim();
        names.push(name);
        await dashboard.screenshot(`screen-${role}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
        expect(dashboard.problems, `on the ${name} screen`).toEqual([]);
      }
      expect(names).toEqual(expect.arrayContaining(['Overview', 'Certificates', 'Failover history']));
    });
  }

  it("draws a tag's history chart (uPlot, loaded on demand) without CSP violations", async () => {
    // A simulated tag: the master polls it, so its history fills within a second or two.
    const tag = await pair.master.api('PUT', '/api/config/tags/line.speed', {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'sine', periodMs: 2000, min: 0, max: 100 },
    });
    expect(tag.status).toBe(200);
    const dashboard = await dashboardOf(pair.master);
    const { page } = dashboard;
    await dashboard.open('Tags');
    await page.getByRole('button', { name: 'History of line.speed' }).click({ timeout: SHOWN });
    const history = page.getByRole('region', { name: 'History of line.speed' });
    await history.waitFor({ timeout: SHOWN });
    await expect
      .poll(
        async () => {
          if ((await history.getByText(/\d+ samples/).count()) === 0)
            await history.getByRole('button', { name: 'Refresh' }).click();
          return history.getByText(/\d+ samples/).count();
        },
        { timeout: SHOWN, interval: 500 },
      )
      .toBeGreaterThan(0);
    const chart = history.getByRole('img', { name: /^Chart of line\.speed/ });
    await chart.locator('canvas').first().waitFor({ timeout: SHOWN });
    await dashboard.screenshot('tag-history');
    expect(dashboard.problems).toEqual([]);
  });

  it("a tag made on the master appears on the backup's open Tags screen by itself, and goes when deleted", async () => {
    const dashboard = await dashboardOf(pair.backup);
    const { page } = dashboard;
    await dashboard.open('Tags');
    await page.getByTestId('tag-count').waitFor({ timeout: SHOWN });
    const made = await pair.master.api('PUT', '/api/config/tags/mixer.rpm', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    expect(made.status).toBe(200);
    // Replicated to the backup, then pushed to its dashboard: no reload, no button.
    await page.getByText('mixer.rpm', { exact: true }).waitFor({ timeout: SHOWN });
    expect((await pair.master.api('DELETE', '/api/config/tags/mixer.rpm')).status).toBe(200);
    await page.getByText('mixer.rpm', { exact: true }).waitFor({ state: 'detached', timeout: SHOWN });
    expect(dashboard.problems).toEqual([]);
  });

  it('would notice a CSP violation (the watcher itself works)', async () => {
    const dashboard = await dashboardOf(pair.master);
    await dashboard.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: SHOWN });
    await dashboard.page.evaluate(() =>
      document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline style</p>'),
    );
    await expect.poll(() => dashboard.problems.join('\n'), { timeout: SHOWN }).toContain('style-src');
  });
});

describe('First paint', () => {
  it('navigation start → the Overview shows the node name (printed, not asserted)', async () => {
    const paint = await measureFirstPaint(browser, pair.master.url, pair.master.token, 'line-1');
    console.log(`dashboard first meaningful paint against a local node: ${describeFirstPaint(paint)}`);
    expect(paint.meaningfulMs).toBeGreaterThan(0);
  });
});

// Last: it takes the master away.
describe('Failover', () => {
  it("kill -9 of the master: the backup's dashboard shows it Running and the history gains a row", async () => {
    const dashboard = await dashboardOf(pair.backup);
    const { page } = dashboard;
    await expect.poll(() => nodesCell(page, 'Status', 0), { timeout: SHOWN }).toBe('Standby');
    await expect.poll(() => nodesCell(page, 'Status', 1), { timeout: SHOWN }).toBe('Running');

    await dashboard.open('Failover history');
    const rows = page.getByRole('table', { name: 'Failover events, newest first' }).getByRole('row');
    await rows.nth(1).waitFor({ timeout: SHOWN });
    const before = await rows.count();
    await dashboard.open('Overview');

    await pair.master.kill('SIGKILL');

    // Running moves to this node; the master is shown unreachable, and the banner says so.
    await expect.poll(() => nodesCell(page, 'Status', 0), { timeout: SHOWN }).toBe('Running');
    await expect.poll(() => nodesCell(page, 'Status', 1), { timeout: SHOWN }).toBe('Unreachable');
    await page
      .getByRole('region', { name: 'Needs attention' })
      .getByText('Peer unreachable.')
      .waitFor({ timeout: SHOWN });
    await expect.poll(() => page.getByRole('banner').textContent()).toMatch(/Backup\s*Running/);
    await dashboard.screenshot('failover-backup-running');

    await dashboard.open('Failover history');
    await expect.poll(() => rows.count(), { timeout: SHOWN }).toBeGreaterThan(before);
    const takeOver = rows.filter({ hasText: 'Role change' }).filter({ hasText: 'Standby → Running' });
    await takeOver.first().waitFor({ timeout: SHOWN });
    const cells = (await takeOver.first().getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(cells[2]).toBe('Backup');
    expect(cells[4]).toMatch(/heartbeat/i);
    await dashboard.screenshot('failover-history');
    // The page reads the master too (the pair view, docs/auth.md): its reads of the killed master fail.
    expect(dashboard.problems.filter((p) => !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(p))).toEqual([]);
  });
});
