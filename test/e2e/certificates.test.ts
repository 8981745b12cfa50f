import { afterEach, expect, it } from 'vitest';
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
import { startPair } from './nodes.ts';

let browser: Browser | null = null;
let pair: Pair | null = null;

afterEach(async () => {
  await browser?.close();
  await pair?.stop();
  browser = null;
  pair = null;
});

const compact = (text: string | null): string => (text ?? '').replace(/\s+/g, '');

/** The certificate fingerprint a node shows as its own, as the operator reads it off that node's screen. */
async function ownFingerprint(dashboard: Dashboard): Promise<string> {
  await expect
    .poll(() => nodesCell(dashboard.page, 'Certificate fingerprint', 0), { timeout: SHOWN })
    .toMatch(/[0-9a-f]{4}/);
  return compact(await nodesCell(dashboard.page, 'Certificate fingerprint', 0));
}

it('an untrusted peer shows as pending; approving it through the dialog (with its fingerprint) connects the link', async () => {
  [browser, pair] = await Promise.all([launchBrowser(), startPair({ trusted: false })]);
  const atMaster = await openDashboard(browser, pair.master);
  const atBackup = await openDashboard(browser, pair.backup);
  const backupFingerprint = await ownFingerprint(atBackup);
  const masterFingerprint = await ownFingerprint(atMaster);

  // The banner on the master says a certificate waits, and the navigation counts it.
  const { page } = atMaster;
  const attention = page.getByRole('region', { name: 'Needs attention' });
  await attention.getByText('Peer certificate waiting for approval.').waitFor({ timeout: SHOWN });
  await navigation(page)
    .getByRole('link', { name: /Certificates/ })
    .getByLabel('1 pending')
    .waitFor({ timeout: SHOWN });
  await atMaster.screenshot('certificate-pending-banner');

  // The banner's link leads to the Certificates screen, which lists the backup's certificate as pending.
  await attention.getByRole('link', { name: 'Review certificates' }).click();
  await page.getByRole('heading', { level: 1, name: 'Certificates' }).waitFor({ timeout: SHOWN });
  const pendingSection = page.getByRole('region', { name: /Pending approval/ });
  await pendingSection.getByRole('heading', { name: 'Pending approval (1)' }).waitFor({ timeout: SHOWN });
  const row = pendingSection
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: /^Approve certificate/ }) });
  expect(compact(await row.getByLabel(/SHA-256 fingerprint/).textContent())).toBe(backupFingerprint);
  expect(await row.getByRole('cell').nth(1).textContent()).toContain('Tandem line-1');
  await atMaster.screenshot('certificates-pending');

  // Keyboard only: Tab to the approve button, open the dialog with Enter.
  await page.getByRole('heading', { level: 1, name: 'Certificates' }).click();
  await tabTo(
    page,
    page.getByRole('button', { name: `Approve certificate ${backupFingerprint.slice(0, 8)}…` }),
  );
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Approve this peer certificate?' });
  await dialog.waitFor({ timeout: SHOWN });
  expect(compact(await dialog.getByLabel(/SHA-256 fingerprint/).textContent())).toBe(backupFingerprint);
  const approve = dialog.getByRole('button', { name: 'Approve', exact: true });
  expect(await approve.isDisabled()).toBe(true);
  await atMaster.screenshot('certificate-approve-dialog', { fullPage: false });
  // Focus starts on Cancel; Tab wraps to the acknowledgement, Space ticks it, then on to Approve.
  await tabTo(page, dialog.getByRole('checkbox', { name: /I compared the fingerprint/ }));
  await page.keyboard.press('Space');
  await tabTo(page, approve);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached', timeout: SHOWN });
  await page.getByRole('heading', { name: 'Trusted (1)' }).waitFor({ timeout: SHOWN });
  await page.getByRole('heading', { name: 'Pending approval (0)' }).waitFor({ timeout: SHOWN });

  // The backup's operator approves the master's certificate with the mouse.
  await atBackup.open('Certificates');
  const backupPage = atBackup.page;
  await backupPage.getByRole('heading', { name: 'Pending approval (1)' }).waitFor({ timeout: SHOWN });
  await backupPage
    .getByRole('button', { name: new RegExp(`^Approve certificate ${masterFingerprint.slice(0, 8)}`) })
    .click();
  const backupDialog = backupPage.getByRole('dialog', { name: 'Approve this peer certificate?' });
  expect(compact(await backupDialog.getByLabel(/SHA-256 fingerprint/).textContent())).toBe(masterFingerprint);
  await backupDialog.getByRole('checkbox', { name: /I compared the fingerprint/ }).check();
  await backupDialog.getByRole('button', { name: 'Approve', exact: true }).click();
  await backupDialog.waitFor({ state: 'detached', timeout: SHOWN });

  // Both overviews: the link connects, the pair forms, and the banner is gone.
  for (const dashboard of [atMaster, atBackup]) {
    await dashboard.open('Overview');
    const link = dashboard.page.getByRole('region', { name: 'Peer link' });
    await link.getByText('Connected', { exact: true }).waitFor({ timeout: SHOWN });
    await dashboard.page
      .getByText('Peer certificate waiting for approval.')
      .waitFor({ state: 'detached', timeout: SHOWN });
  }
  await expect.poll(() => nodesCell(atMaster.page, 'Status', 1), { timeout: SHOWN }).toBe('Standby');
  await expect.poll(() => nodesCell(atBackup.page, 'Status', 0), { timeout: SHOWN }).toBe('Standby');
  await atMaster.screenshot('certificate-approved-overview');
  expect(atMaster.problems).toEqual([]);
  expect(atBackup.problems).toEqual([]);
});
