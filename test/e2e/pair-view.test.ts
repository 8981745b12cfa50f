/**
 * The pair view survives the death of its own node (issue 15 item 2), in Chromium against a real pair: an
 * operator signs in on the master's dashboard (one sign-in, an account of the pair), the master is killed
 * with SIGKILL while the page is open, and the page says once that this node is not answering, shows the
 * backup running as the backup sees it, and links the backup's dashboard, which opens signed in. The same
 * with the admin token (a `#token=` link, as the desktop window has it): its node gets it a session on the
 * backup over the pair's link (docs/auth.md "The admin token and the pair view").
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, tempDir, type Pair } from '../integration/harness.ts';
import { launchBrowser, openDashboard, SCREENSHOTS, SHOWN, watchProblems } from './browser.ts';
import { startPair } from './nodes.ts';

const PASSWORD = 'correct horse battery';

let browser: Browser;
let pair: Pair;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  [browser, pair] = await Promise.all([launchBrowser(), startPair()]);
  const file = path.join(tempDir('pair-view-password'), 'password');
  fs.writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
  const added = runCli([
    'user',
    'add',
    '--data-dir',
    pair.master.dataDir,
    '--name',
    'ops',
    '--password-file',
    file,
  ]);
  if (added.code !== 0) throw new Error(`user add failed: ${added.stderr}`);
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  page = await context.newPage();
  problems = watchProblems(page);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await pair?.stop();
});

async function screenshot(name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('the pair view when its own node dies', () => {
  it('the sign-in card names the node and the pair; signed in, the header says who, Sign out on one line', async () => {
    await page.goto(`${pair.master.url}/`);
    await expect
      .poll(() => page.getByTestId('sign-in-node').textContent(), { timeout: SHOWN })
      .toContain('Master of the pair line-1');
    await page.getByLabel('Operator name').fill('ops');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();

    const signedIn = page.getByTestId('signed-in');
    await expect.poll(() => signedIn.textContent(), { timeout: SHOWN }).toContain('Signed in as ops');
    await screenshot('pair-view-signed-in-1280');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const button = (await signOut.boundingBox())!;
    const brand = (await page.locator('.product').boundingBox())!;
    // One line of text, in the header's first row (beside the node's name, not wrapped below it).
    expect(button.height).toBeLessThan(2.2 * 16 + 16);
    expect(Math.abs(button.y + button.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(16);
  });

  it('kill -9 of the master: the page says once it is not answering, shows the backup running, links its dashboard', async () => {
    // The page reads the backup too (its status poll) before the master goes.
    await page.waitForFunction(
      (url) => performance.getEntriesByType('resource').some((e) => e.name.startsWith(`${url}/api/status`)),
      pair.backup.url,
      { timeout: SHOWN },
    );
    await pair.master.kill('SIGKILL');

    const banner = page.getByTestId('banner-node-unreachable');
    const sentence = banner.getByTestId('pair-as-partner-sees-it');
    await expect
      .poll(() => sentence.textContent(), { timeout: SHOWN })
      .toMatch(/The backup is running since \d\d:\d\d:\d\d, failover \d+(\.\d)? m?s\./);
    expect(await sentence.textContent()).toContain('its link to this node:');
    await screenshot('pair-view-master-killed-1280');
    // One banner says it, once on the whole page: the Overview's health line says how the pair runs instead.
    expect(await page.getByTestId('banner-node-unreachable').count()).toBe(1);
    expect(await banner.getByText('This node is not answering.', { exact: true }).count()).toBe(1);
    expect(((await page.locator('body').textContent()) ?? '').match(/not answering/gi) ?? []).toHaveLength(1);
    await expect
      .poll(() => page.getByTestId('health-line').textContent(), { timeout: SHOWN })
      .toBe('Running on the backup, as it reports itself.');
    const link = banner.getByRole('link', { name: "Open the backup's dashboard" });
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^${pair.backup.url}/#session=[^&]+&user=ops$`),
    );
    await screenshot('pair-view-master-killed-1280');

    await link.click();
    await page.waitForURL(`${pair.backup.url}/**`, { timeout: SHOWN });
    await expect
      .poll(() => page.getByTestId('signed-in').textContent(), { timeout: SHOWN })
      .toContain('Signed in as ops');
    await expect.poll(() => page.locator('.topbar').textContent(), { timeout: SHOWN }).toContain('Running');
    // The session is no longer in the address.
    expect(page.url()).not.toContain('session=');
    expect(
      problems.filter((p) => !p.includes('Failed to load resource') && !p.includes('ERR_CONNECTION_REFUSED')),
    ).toEqual([]);
  });
});

describe('the pair view of a page opened with the admin token', () => {
  let tokenPair: Pair;

  beforeAll(async () => {
    tokenPair = await startPair();
  });

  afterAll(async () => {
    await tokenPair?.stop();
  });

  it('kill -9 of the master: the page opened with its admin token says once it is not answering, shows the backup running, links its dashboard', async () => {
    const dashboard = await openDashboard(browser, tokenPair.master);
    const tokenPage = dashboard.page;
    try {
      // The master got the page a session on the backup, and the page reads the backup with it.
      await tokenPage.waitForFunction(
        (url) => performance.getEntriesByType('resource').some((e) => e.name.startsWith(`${url}/api/status`)),
        tokenPair.backup.url,
        { timeout: SHOWN },
      );
      await tokenPair.master.kill('SIGKILL');

      const banner = tokenPage.getByTestId('banner-node-unreachable');
      const sentence = banner.getByTestId('pair-as-partner-sees-it');
      await expect
        .poll(() => sentence.textContent(), { timeout: SHOWN })
        .toMatch(/The backup is running since \d\d:\d\d:\d\d, failover \d+(\.\d)? m?s\./);
      expect(await tokenPage.getByTestId('banner-node-unreachable').count()).toBe(1);
      expect(
        ((await tokenPage.locator('body').textContent()) ?? '').match(/not answering/gi) ?? [],
      ).toHaveLength(1);
      await dashboard.screenshot('pair-view-admin-token-master-killed-1280');
      const link = banner.getByRole('link', { name: "Open the backup's dashboard" });
      expect(await link.getAttribute('href')).toMatch(
        new RegExp(`^${tokenPair.backup.url}/#session=[^&]+&user=admin\\+token$`),
      );
      // The backup's own admin token never reached the page.
      expect(await tokenPage.content()).not.toContain(tokenPair.backup.token);

      await link.click();
      await tokenPage.waitForURL(`${tokenPair.backup.url}/**`, { timeout: SHOWN });
      await expect
        .poll(() => tokenPage.getByTestId('signed-in').textContent(), { timeout: SHOWN })
        .toContain('Signed in as admin token');
      await expect
        .poll(() => tokenPage.locator('.topbar').textContent(), { timeout: SHOWN })
        .toContain('Running');
      expect(tokenPage.url()).not.toContain('session=');
      expect(
        dashboard.problems.filter(
          (p) => !p.includes('Failed to load resource') && !p.includes('ERR_CONNECTION_REFUSED'),
        ),
      ).toEqual([]);
    } finally {
      await dashboard.close();
    }
  });
});
