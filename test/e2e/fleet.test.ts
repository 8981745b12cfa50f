/**
 * The fleet dashboard in Chromium: three real pairs (six `tandem-node` processes, fast timing) under a real
 * `tandem-node monitor`; kill -9 of one master turns that pair's tile to "Failed over" within the failover
 * (as the pair measured it) plus 1 s, and no other tile changes meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { freePort, makePair, type Pair } from '../integration/harness.ts';
import { MonitorProcess, writeMonitorConfig } from '../integration/monitor-harness.ts';
import { launchBrowser, SHOWN, watchProblems } from './browser.ts';

const NAMES = ['line-1', 'line-2', 'line-3'] as const;
/** Six nodes on one machine: no OPC UA server each (they would all want port 4840). */
const QUIET = ['--opcua-port', '0'];

let browser: Browser;
let pairs: Pair[] = [];
let monitor: MonitorProcess;

beforeAll(async () => {
  const made = await Promise.all(NAMES.map((name) => makePair(QUIET, QUIET, { name })));
  pairs = made;
  // Masters first: a backup that finds no master within its connection wait would take over at start.
  const starting = Promise.all(made.map((p) => p.master.start())).then(() =>
    Promise.all(made.map((p) => p.backup.start())),
  );
  [browser] = await Promise.all([launchBrowser(), starting]);
  await Promise.all(
    made.map((p) =>
      p.backup.waitStatus(
        (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
        'the pair to form',
      ),
    ),
  );
  monitor = new MonitorProcess(
    writeMonitorConfig(
      made.map((p, i) => ({
        name: NAMES[i]!,
        site: i === 2 ? 'South' : 'North',
        nodes: [p.master, p.backup],
      })),
    ),
    await freePort(),
  );
  await monitor.start({ TANDEM_DASHBOARD_DIR: inject('dashboardDir') });
});

afterAll(async () => {
  await browser?.close();
  await monitor?.stop();
  await Promise.all(pairs.map((p) => p.stop()));
});

function verdictOf(page: Page, name: string): Promise<string | null> {
  return page.getByRole('article', { name }).getAttribute('data-verdict', { timeout: SHOWN });
}

describe('Fleet dashboard', () => {
  it('kill -9 of one master: its tile turns to Failed over within the failover + 1 s, the others stay Healthy', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${monitor.url}/#token=${monitor.token}`);
    for (const name of NAMES)
      await expect.poll(() => verdictOf(page, name), { timeout: SHOWN }).toBe('healthy');
    expect(await page.getByRole('article', { name: 'line-1' }).getByTestId('verdict').textContent()).toBe(
      'Healthy',
    );

    // Every verdict each tile shows from now on, sampled in the page every 20 ms.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { __verdicts: typeof seen }).__verdicts = seen;
      setInterval(() => {
        for (const tile of document.querySelectorAll('article[data-verdict]')) {
          const name = tile.getAttribute('aria-label') ?? '';
          const list = (seen[name] ??= []);
          const verdict = tile.getAttribute('data-verdict') ?? '';
          if (list.at(-1) !== verdict) list.push(verdict);
        }
      }, 20);
    });

    const killedAt = Date.now();
    await pairs[1]!.master.kill('SIGKILL');
    await page.waitForFunction(
      () =>
        document.querySelector('article[aria-label="line-2"]')?.getAttribute('data-verdict') ===
        'failed-over',
      undefined,
      { timeout: SHOWN, polling: 20 },
    );
    const shownAfterMs = Date.now() - killedAt;
    const tile = page.getByRole('article', { name: 'line-2' });
    expect(await tile.getByTestId('verdict').textContent()).toBe('Failed over');
    expect(await tile.getByTestId('headline').textContent()).toBe('Failed over: the backup runs the plant');

    // The pair's own measure of the failover: from the last heartbeat the master answered to the backup active.
    const failover = (await pairs[1]!.backup.events()).find(
      (e) => e.kind === 'role-change' && e.to === 'active',
    );
    expect(failover?.durationMs).toBeGreaterThan(0);
    console.log(
      `fleet tile: failed over ${shownAfterMs} ms after kill -9 (the pair's failover: ${failover!.durationMs} ms)`,
    );
    expect(shownAfterMs).toBeLessThanOrEqual(failover!.durationMs! + 1000);
    await expect.poll(() => tile.textContent(), { timeout: SHOWN }).toMatch(/missed heartbeats/);
    await expect.poll(() => tile.textContent(), { timeout: SHOWN }).toMatch(/Not answering for .*connection/);

    // Most severe first: the failed-over pair is now the first tile.
    const order = await page
      .locator('article[data-verdict]')
      .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('aria-label')));
    expect(order[0]).toBe('line-2');
    const verdicts = await page.evaluate(
      () => (window as unknown as { __verdicts: Record<string, string[]> }).__verdicts,
    );
    expect(verdicts['line-1']).toEqual(['healthy']);
    expect(verdicts['line-3']).toEqual(['healthy']);

    // The site filter.
    await page.getByLabel('Site').selectOption('South');
    await expect.poll(() => page.locator('article[data-verdict]').count()).toBe(1);
    await page.screenshot({ path: 'test-results/e2e/fleet.png' });
    expect(problems).toEqual([]);
    await context.close();
  });
});
