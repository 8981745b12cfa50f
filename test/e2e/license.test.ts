import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { tempDir, type Pair } from '../integration/harness.ts';
import { launchBrowser, nodesRow, openDashboard, SHOWN } from './browser.ts';
import { startPair } from './nodes.ts';

const CLI = path.resolve(import.meta.dirname, '../../node-core/cli/main.ts');
const DEV_KEY = path.resolve(import.meta.dirname, '../../assets/license/dev-private-key.pem');
const run = promisify(execFile);

let browser: Browser | null = null;
let pair: Pair | null = null;

afterAll(async () => {
  await browser?.close();
  await pair?.stop();
});

/**
 * A license for "Plant 7" signed with the development key by the vendor's own tool:
 * `tandem-node license issue --key … --licensee … --module … --limit tags=N --out FILE`.
 */
async function issue(file: string, modules: string[], tags: number): Promise<void> {
  const args = ['license', 'issue', '--key', DEV_KEY, '--licensee', 'Plant 7', '--limit', `tags=${tags}`];
  await run(process.execPath, [CLI, ...args, ...modules.flatMap((m) => ['--module', m]), '--out', file]);
}

it('nodes with different licenses: the overview shows Mismatch with each difference', async () => {
  const dir = tempDir('license');
  const [masterLicense, backupLicense] = [path.join(dir, 'master.json'), path.join(dir, 'backup.json')];
  [browser, pair] = await Promise.all([
    launchBrowser(),
    startPair({
      masterArgs: ['--license', masterLicense],
      backupArgs: ['--license', backupLicense],
      // Signed while the pair's certificates are made; the nodes read them when they start.
      ready: Promise.all([
        issue(masterLicense, ['modbus', 'history'], 5000),
        issue(backupLicense, ['modbus'], 1000),
      ]),
    }),
  ]);
  const dashboard = await openDashboard(browser, pair.master);
  const { page } = dashboard;
  const comparison = page.getByRole('region', { name: 'License comparison' });
  await comparison.getByText('Mismatch', { exact: true }).waitFor({ timeout: SHOWN });
  await expect
    .poll(() => comparison.getByRole('listitem').allTextContents(), { timeout: SHOWN })
    .toEqual(['module "history": only on this node', 'limit "tags": 5000 here, 1000 on peer']);
  // The same differences head every screen until they are resolved.
  const banner = page.getByRole('region', { name: 'Needs attention' });
  await banner.getByText('License mismatch between the two nodes.').waitFor({ timeout: SHOWN });
  expect(await banner.getByRole('listitem').allTextContents()).toContain(
    'module "history": only on this node',
  );
  // Each node's license, side by side in the Nodes table.
  const licenseRow = nodesRow(page, 'License');
  await expect
    .poll(() => licenseRow.getByRole('cell').nth(0).textContent(), { timeout: SHOWN })
    .toMatch(/Valid — Plant 7.*Modules:\s*modbus, history/s);
  await expect
    .poll(() => licenseRow.getByRole('cell').nth(1).textContent(), { timeout: SHOWN })
    .toMatch(/Modules:\s*modbus\s*Limits/s);
  await dashboard.screenshot('license-mismatch');

  const atBackup = await openDashboard(browser, pair.backup);
  const backupComparison = atBackup.page.getByRole('region', { name: 'License comparison' });
  await backupComparison.getByText('Mismatch', { exact: true }).waitFor({ timeout: SHOWN });
  await expect
    .poll(() => backupComparison.getByRole('listitem').allTextContents(), { timeout: SHOWN })
    .toEqual(['module "history": only on peer', 'limit "tags": 1000 here, 5000 on peer']);
  expect(dashboard.problems).toEqual([]);
  expect(atBackup.problems).toEqual([]);
});
