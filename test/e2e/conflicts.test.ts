/**
 * A split brain between two real nodes (a TCP proxy on the peer link, cut and healed), reviewed in Chromium:
 * the standby's screens point to the running node; after the split heals, the master's dashboard asks for
 * a review of the backup's change to a tag both sides changed (what only one side changed is merged by key),
 * and re-applying it there puts it on both nodes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { waitFor } from '../integration/harness.ts';
import { splitPair, type SplitPair } from '../integration/split-pair.ts';
import { launchBrowser, openDashboard, SHOWN, type Dashboard } from './browser.ts';
import { serveBuiltDashboard } from './nodes.ts';

const memoryTag = { dataType: 'float', source: { kind: 'memory' } };
let browser: Browser;
let pair: SplitPair;
const opened: Dashboard[] = [];

beforeAll(async () => {
  serveBuiltDashboard();
  [browser, pair] = await Promise.all([launchBrowser(), splitPair('line-9')]);
});

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await browser?.close();
  await pair?.stop();
});

it("a standby's Tags screen says values are written on the running node, where it is, and offers no write", async () => {
  const { master, backup } = pair;
  expect((await master.api('PUT', '/api/config/tags/shared', memoryTag)).status).toBe(200);
  const dashboard = await openDashboard(browser, backup);
  opened.push(dashboard);
  await dashboard.open('Tags');
  const hint = dashboard.page.getByTestId('active-node-hint');
  await expect
    .poll(() => hint.textContent(), { timeout: SHOWN })
    .toContain('Values are written on the running node.');
  expect(await hint.getByTestId('active-node-url').textContent()).toBe(master.url);
  const write = dashboard.page.getByRole('button', { name: 'Write value to shared' });
  await write.waitFor({ timeout: SHOWN });
  expect(await write.isDisabled()).toBe(true);
  await dashboard.screenshot('standby-tags-hint');
  expect(dashboard.problems).toEqual([]);
});

it("after a split, the master's dashboard asks for a review of a tag both sides changed, and re-applying the backup's change puts it on both nodes", async () => {
  const { master, backup, proxy } = pair;
  proxy.cut();
  await backup.waitStatus((s) => s.node.status === 'active', 'backup active in the split');
  const byMaster = { ...memoryTag, description: 'set on the master' };
  const byBackup = { ...memoryTag, description: 'set on the backup' };
  expect((await master.api('PUT', '/api/config/tags/shared', byMaster)).status).toBe(200);
  expect((await backup.api('PUT', '/api/config/tags/shared', byBackup)).status).toBe(200);
  expect((await backup.api('PUT', '/api/config/tags/from.backup', memoryTag)).status).toBe(200);
  proxy.heal();
  await master.waitStatus((s) => s.sync.conflicts === 1 && s.peer?.link === 'connected', 'split healed');

  const dashboard = await openDashboard(browser, master);
  opened.push(dashboard);
  const { page } = dashboard;
  const banner = page.getByTestId('banner-config-conflicts');
  await expect
    .poll(() => banner.textContent(), { timeout: SHOWN })
    .toContain('1 config change from a split waits for review.');
  await dashboard.screenshot('conflicts-banner');

  await banner.getByRole('link', { name: 'Review conflicts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Config conflicts' }).waitFor({ timeout: SHOWN });
  const row = page.getByTestId('conflict-row');
  await expect.poll(() => row.textContent(), { timeout: SHOWN }).toContain('shared');
  // The master's value (the winner's) is what the pair holds now; the backup's one-sided tag was merged.
  await expect
    .poll(() => row.getByTestId('conflict-now').textContent(), { timeout: SHOWN })
    .toContain('set on the master');
  expect((await master.api('GET', '/api/config/tags/from.backup')).status).toBe(200);
  expect(await row.textContent()).toContain('on the peer');
  await dashboard.screenshot('conflicts-screen');

  await row.getByRole('button', { name: 'Re-apply tag “shared” set' }).click();
  const dialog = page.getByRole('dialog', { name: 'Re-apply this change?' });
  await dialog.waitFor({ timeout: SHOWN });
  await dashboard.screenshot('conflicts-reapply-dialog', { fullPage: false });
  await dialog.getByRole('button', { name: 'Re-apply', exact: true }).click();

  await expect
    .poll(() => page.getByTestId('notice').textContent(), { timeout: SHOWN })
    .toContain('Re-applied: tag “shared” set. Both nodes hold it now.');
  await page.getByTestId('conflicts-empty').waitFor({ timeout: SHOWN });
  await banner.waitFor({ state: 'detached', timeout: SHOWN });
  const description = async (node: typeof master): Promise<string | undefined> =>
    (await node.api<{ description?: string }>('GET', '/api/config/tags/shared')).body.description;
  expect(await description(master)).toBe('set on the backup');
  await waitFor(
    async () => ((await description(backup)) === 'set on the backup' ? true : undefined),
    SHOWN,
    'the re-applied tag on the backup',
  );
  expect(dashboard.problems).toEqual([]);
});
