/**
 * Issue 16, the operator's first use, on a real pair in Chromium: the Overview's health line and what shows
 * without scrolling at 1024×600, 1280×720 and 1920×1080; every screen at those sizes (screenshots in
 * test-results/e2e/first-use-*); alarm names at 1280×720; the history's CSV; Settings keeping its place;
 * last, the health line after the master is killed. The tests share one pair, in this order.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Pair } from '../integration/harness.ts';
import { launchBrowser, nodesCell, openDashboard, SHOWN, type Dashboard } from './browser.ts';
import { startPair } from './nodes.ts';

let browser: Browser;
let pair: Pair;
const opened: Dashboard[] = [];

const SIZES = [
  { width: 1024, height: 600 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

beforeAll(async () => {
  [browser, pair] = await Promise.all([launchBrowser(), startPair()]);
  const { master } = pair;
  const put = async (route: string, body: unknown): Promise<void> => {
    const answer = await master.api('PUT', route, body);
    expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(200);
  };
  await put('/api/config/tags/boiler.temp', {
    dataType: 'float',
    source: { kind: 'memory' },
    unit: '°C',
    precision: 1,
    description: 'Boiler outlet temperature',
  });
  await put(`/api/config/tags/${encodeURIComponent('line1/filling-station.pressure')}`, {
    dataType: 'float',
    source: { kind: 'simulator', waveform: 'sine', periodMs: 20_000, min: 0, max: 6 },
    unit: 'bar',
    precision: 2,
  });
  await put(`/api/config/tags/${encodeURIComponent('line1/conveyor.running')}`, {
    dataType: 'bool',
    source: { kind: 'memory' },
  });
  await put('/api/config/alarm-rules/boiler.overtemperature', {
    tag: 'boiler.temp',
    condition: 'high',
    threshold: 90,
    deadband: 2,
    priority: 'critical',
    message: 'Boiler outlet above 90 °C: check the burner',
  });
  await put(`/api/config/alarm-rules/${encodeURIComponent('line1/filling-station.pressure-low')}`, {
    tag: 'line1/filling-station.pressure',
    condition: 'low',
    threshold: 0.5,
    priority: 'high',
  });
  await put(`/api/config/alarm-rules/${encodeURIComponent('line1/conveyor.stopped')}`, {
    tag: 'line1/conveyor.running',
    condition: 'equal',
    threshold: false,
    priority: 'low',
  });
  expect((await master.api('POST', '/api/tags/boiler.temp/write', { value: 95.25 })).status).toBe(200);
  expect(
    (
      await master.api('POST', `/api/tags/${encodeURIComponent('line1/conveyor.running')}/write`, {
        value: true,
      })
    ).status,
  ).toBe(200);
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
  viewport: { width: number; height: number },
): Promise<Dashboard> {
  const dashboard = await openDashboard(browser, node, viewport);
  opened.push(dashboard);
  return dashboard;
}

/** Whether `locator` lies wholly inside the window as it is now (nothing scrolled). */
async function inView(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox({ timeout: SHOWN });
  const size = page.viewportSize();
  return (
    box !== null &&
    size !== null &&
    box.y >= 0 &&
    box.y + box.height <= size.height &&
    box.x + box.width <= size.width
  );
}

describe('Overview: the pair at a glance (item 2)', () => {
  for (const size of SIZES) {
    it(`at ${size.width}×${size.height}: the health line, the link state, the license and the alarms show without scrolling`, async () => {
      const dashboard = await dashboardOf(pair.master, size);
      const { page } = dashboard;
      const health = page.getByRole('region', { name: 'Pair health' });
      await expect
        .poll(() => health.getByTestId('health-line').textContent(), { timeout: SHOWN })
        .toBe('Pair healthy: master running, backup ready');
      await health
        .getByTestId('glance-link')
        .getByText('Connected', { exact: true })
        .waitFor({ timeout: SHOWN });
      await expect.poll(() => health.getByTestId('glance-license').textContent()).toBe('none on either node');
      await expect
        .poll(() => health.getByTestId('glance-alarms').textContent())
        .toMatch(/\d+ unacknowledged/);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      for (const id of ['health-line', 'glance-link', 'glance-license', 'glance-alarms'])
        expect(await inView(page, health.getByTestId(id)), `${id} in view`).toBe(true);
      // The alarm an operator has not acknowledged is on the Overview itself, not only a count in the navigation.
      const alarms = page.getByRole('region', { name: /Unacknowledged alarms/ });
      await alarms.getByText('boiler.overtemperature', { exact: true }).waitFor({ timeout: SHOWN });
      expect(await inView(page, alarms.getByText('boiler.overtemperature', { exact: true }))).toBe(true);
      await dashboard.screenshot(`first-use-${size.width}x${size.height}-overview-view`, { fullPage: false });
      expect(dashboard.problems).toEqual([]);
    });
  }
});

describe('Every screen at three sizes', () => {
  for (const size of SIZES) {
    it(`${size.width}×${size.height}: each screen fits the width; screenshots for a look`, async () => {
      const dashboard = await dashboardOf(pair.master, size);
      const { page } = dashboard;
      await page
        .getByTestId('glance-link')
        .getByText('Connected', { exact: true })
        .waitFor({ timeout: SHOWN });
      const tag = `${size.width}x${size.height}`;
      await dashboard.screenshot(`first-use-${tag}-overview`);
      for (const screen of ['Certificates', 'Failover history', 'Tags', 'Alarms', 'Conflicts', 'Settings']) {
        await dashboard.open(screen);
        await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: SHOWN });
        const name = screen.toLowerCase().replace(/[^a-z]+/g, '-');
        if (screen === 'Tags') {
          await page.getByRole('button', { name: 'History of line1/filling-station.pressure' }).click();
          const history = page.getByRole('region', { name: /History of/ });
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
          await history.locator('canvas').first().waitFor({ timeout: SHOWN });
          // Values with the tag's unit and precision; the time axis 24-hour.
          await expect
            .poll(() =>
              page.getByRole('row').filter({ hasText: 'boiler.temp' }).getByTestId('tag-value').textContent(),
            )
            .toBe('95.3 °C');
          expect(
            await history
              .getByRole('img', { name: /^Chart of line1\/filling-station\.pressure \(bar\)/ })
              .count(),
          ).toBe(1);
          // The legend under the cursor says the time as every screen does (24-hour, the day first).
          const plot = history.locator('.u-over');
          const area = await plot.boundingBox();
          await page.mouse.move(area!.x + area!.width - 3, area!.y + area!.height / 2);
          await expect
            .poll(() => history.locator('.u-legend .u-value').first().textContent())
            .toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        }
        const width = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(width.scroll, `${screen} at ${tag}: no horizontal scroll`).toBeLessThanOrEqual(width.client);
        await dashboard.screenshot(`first-use-${tag}-${name}`);
      }
      expect(dashboard.problems).toEqual([]);
    });
  }
});

describe('Alarms at 1280×720 (item 5)', () => {
  it('names never break inside a word, and acknowledging changes no column width', async () => {
    const dashboard = await dashboardOf(pair.master, { width: 1280, height: 720 });
    const { page } = dashboard;
    await dashboard.open('Alarms');
    const names = page.getByRole('rowheader');
    await expect.poll(() => names.count(), { timeout: SHOWN }).toBe(3);
    // Each part of a name (the text between the places it may wrap) lies on one line.
    const split = await names.evaluateAll((cells) =>
      cells.flatMap((cell) =>
        [...cell.childNodes]
          .filter((node): node is Text => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== '')
          .filter((text) => {
            const range = document.createRange();
            range.selectNodeContents(text);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
          })
          .map((text) => text.textContent),
      ),
    );
    expect(split).toEqual([]);

    const widths = (): Promise<number[]> =>
      page
        .locator('table.alarms thead th')
        .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().width));
    const before = await widths();
    await page.getByRole('textbox', { name: 'Operator name' }).fill('first-use check');
    await page.getByRole('button', { name: 'Acknowledge alarm boiler.overtemperature' }).click();
    await page.getByRole('row').filter({ hasText: 'first-use check' }).first().waitFor({ timeout: SHOWN });
    expect(await widths()).toEqual(before);
    await dashboard.screenshot('first-use-1280x720-alarms-acknowledged', { fullPage: false });
    expect(dashboard.problems).toEqual([]);
  });
});

describe('Failover history CSV (item 9)', () => {
  it('uses the words the screen uses', async () => {
    const dashboard = await dashboardOf(pair.master, { width: 1280, height: 720 });
    const { page } = dashboard;
    await dashboard.open('Failover history');
    await page.getByTestId('event-row').first().waitFor({ timeout: SHOWN });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: SHOWN }),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('tandem-line-1-events.csv');
    const text = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const [head, ...rows] = text.trim().split('\r\n');
    expect(head).toMatch(/^Time \(.+\),Kind,Node,Node ID,From,To,Reason,Duration,Duration \(ms\)$/);
    expect(
      rows.some((row) =>
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,Role change,Master,[^,]+,Starting,Running,/.test(row),
      ),
    ).toBe(true);
    expect(text).not.toMatch(/role-change|,active,|starting/);
    expect(dashboard.problems).toEqual([]);
  });
});

describe('Settings (item 8)', () => {
  it('after Save the page keeps its place, and the Save button keeps the focus', async () => {
    const dashboard = await dashboardOf(pair.master, { width: 1280, height: 720 });
    const { page } = dashboard;
    await dashboard.open('Settings');
    const field = page.getByRole('textbox', { name: /Keep history for/ });
    await field.fill('30');
    const save = page.getByRole('button', { name: 'Save settings' });
    await save.scrollIntoViewIfNeeded();
    const before = await save.boundingBox();
    await save.click();
    await page.getByTestId('settings-saved').waitFor({ timeout: SHOWN });
    // The card that says what waits for a restart appeared above the form, and moved nothing on screen.
    await page.getByTestId('settings-pending').waitFor({ timeout: SHOWN });
    await expect.poll(async () => (await save.boundingBox())?.y).toBeCloseTo(before!.y, 0);
    // The focus comes back one animation frame after the saved state is drawn (keep-place.ts).
    await expect
      .poll(() =>
        page.evaluate(() => document.activeElement?.textContent?.trim() ?? document.activeElement?.tagName),
      )
      .toBe('Save settings');

    // Enter in a field near the top, with the page at its top: the field stays where it was, focused.
    await page.evaluate(() => window.scrollTo(0, 0));
    const name = page.getByRole('textbox', { name: 'Pair name' });
    await name.focus();
    const fieldBefore = await name.boundingBox();
    await page.getByRole('textbox', { name: /Keep history for/ }).fill('31');
    await name.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('settings-pending').textContent(), { timeout: SHOWN })
      .toContain('31');
    await expect.poll(async () => (await name.boundingBox())?.y).toBeCloseTo(fieldBefore!.y, 0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('setting-name');
    expect(dashboard.problems).toEqual([]);
  });
});

describe('Certificate approval (item 3)', () => {
  let untrusted: Pair | null = null;
  afterAll(async () => {
    await untrusted?.stop();
  });

  it('a waiting peer is not "Unreachable"; after approving here the banner says what is still missing', async () => {
    untrusted = await startPair({ trusted: false });
    const dashboard = await dashboardOf(untrusted.master, { width: 1280, height: 720 });
    const { page } = dashboard;
    const attention = page.getByRole('region', { name: 'Needs attention' });
    await attention.getByText('Peer certificate waiting for approval.').waitFor({ timeout: SHOWN });
    // The peer answers: it waits for a decision, it is not unreachable.
    await expect.poll(() => nodesCell(page, 'Status', 1), { timeout: SHOWN }).toBe('Awaiting approval');
    const pending = page.getByRole('region', { name: 'Peer link' }).getByLabel(/^SHA-256 fingerprint/);
    await expect
      .poll(() => pending.textContent(), { timeout: SHOWN })
      .toMatch(/^([0-9a-f]{4} ){3}[0-9a-f]{4}\s/);
    await dashboard.screenshot('first-use-certificate-pending', { fullPage: false });

    await dashboard.open('Certificates');
    await page.getByRole('button', { name: /^Approve certificate/ }).click({ timeout: SHOWN });
    const dialog = page.getByRole('dialog', { name: 'Approve this peer certificate?' });
    await dialog.getByRole('checkbox', { name: /I compared the fingerprint/ }).check();
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: SHOWN });

    // The banner now says what the link still waits for, and no green line is added beneath it.
    await attention.getByText('Approved here; waiting for approval on the peer.').waitFor({ timeout: SHOWN });
    expect(await attention.getByText('Peer certificate waiting for approval.').count()).toBe(0);
    expect(await page.getByTestId('notice').count()).toBe(0);
    await dashboard.screenshot('first-use-certificate-approved-here', { fullPage: false });

    // The history names the certificate by its fingerprint, grouped as everywhere else.
    await dashboard.open('Failover history');
    const row = page.getByTestId('event-row').filter({ hasText: 'Certificate pending' }).first();
    await expect
      .poll(() => row.getByLabel(/^SHA-256 fingerprint/).textContent(), { timeout: SHOWN })
      .toMatch(/^([0-9a-f]{4} ){3}[0-9a-f]{4}\s/);
    expect(dashboard.problems).toEqual([]);
  });
});

// Last: it takes the master away.
describe('Failover (item 2)', () => {
  it("the backup's health line says it runs since it took over, the master not answering", async () => {
    const dashboard = await dashboardOf(pair.backup, { width: 1024, height: 600 });
    const { page } = dashboard;
    const line = page.getByTestId('health-line');
    await expect
      .poll(() => line.textContent(), { timeout: SHOWN })
      .toBe('Pair healthy: master running, backup ready');
    await pair.master.kill('SIGKILL');
    await expect
      .poll(() => line.textContent(), { timeout: SHOWN })
      .toMatch(/^Running on the backup since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d — master not answering\.$/);
    expect(await inView(page, line)).toBe(true);
    expect(await inView(page, page.getByTestId('glance-link'))).toBe(true);
    await dashboard.screenshot('first-use-1024x600-overview-failed-over', { fullPage: false });
    // The page reads the master too (the pair view, docs/auth.md): its reads of the killed master fail.
    expect(dashboard.problems.filter((p) => !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(p))).toEqual([]);
  });
});
