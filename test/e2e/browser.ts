/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work here), and the
 * dashboard of one real node opened in it with the node's token. Each page records what an operator would
 * never want to see go wrong silently: console errors, uncaught exceptions and CSP violations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { NodeProcess } from '../integration/harness.ts';

export const CHROMIUM = process.env['TANDEM_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/e2e');
/** How long a screen may take to show what the node reports: generous, the machine is shared. */
export const SHOWN = 20_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}

export interface Dashboard {
  readonly page: Page;
  /** Console errors, page errors and CSP violations seen so far, one line each. */
  readonly problems: string[];
  /** Goes to a screen by its link in the main navigation, as an operator does. */
  open(screen: string): Promise<void>;
  /** Saves test-results/e2e/<name>.png: the whole page, or only the viewport (for dialogs over it). */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Opens `node`'s dashboard with its token in a fresh browser context (its own sessionStorage). */
export async function openDashboard(
  browser: Browser,
  node: NodeProcess,
  viewport = { width: 1280, height: 720 },
): Promise<Dashboard> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.exposeBinding('__tandemCspViolation', (_source, line: string) => problems.push(line));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const reporter = window as unknown as { __tandemCspViolation: (line: string) => void };
      reporter.__tandemCspViolation(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}` +
          ` at ${event.sourceFile}:${event.lineNumber}${event.sample ? ` (${event.sample})` : ''}`,
      );
    });
  });
  await page.goto(`${node.url}/#token=${node.token}`);
  return {
    page,
    problems,
    async open(screen) {
      await navigation(page).getByRole('link', { name: screen }).click();
      await page.getByRole('heading', { level: 1, name: screen }).waitFor({ timeout: SHOWN });
    },
    async screenshot(name, options) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: path.join(SCREENSHOTS, `${name}.png`),
        fullPage: options?.fullPage ?? true,
      });
    },
    close: () => context.close(),
  };
}

export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The page asks its own node for a session on the partner whenever the link comes up; 409 and 503 are
    // documented answers it handles (docs/contract.md), which the browser logs all the same.
    const failedLoad = message.text().startsWith('Failed to load resource');
    if (failedLoad && message.location().url.endsWith('/api/partner-session')) return;
    problems.push(`console error: ${message.text()}${failedLoad ? ` (${message.location().url})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/**
 * Presses Tab until `target` (found by role and accessible name) has the focus, at most 60 times; answers
 * how many presses it took.
 */
export async function tabTo(page: Page, target: Locator): Promise<number> {
  await target.waitFor({ timeout: SHOWN });
  for (let presses = 1; presses <= 60; presses++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return presses;
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

/** The main navigation, by its accessible name. */
export function navigation(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Screens' });
}

/**
 * One row of the Overview's "Nodes" table, by its row header ("Status", "Name", …): cell 0 is this node,
 * cell 1 the peer.
 */
export function nodesRow(page: Page, header: string): Locator {
  return page
    .getByRole('region', { name: 'Nodes' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: header, exact: true }) });
}

/** What the Overview shows for this node (`0`) or its peer (`1`) in a row of the Nodes table. */
export async function nodesCell(page: Page, header: string, which: 0 | 1): Promise<string> {
  const cell = nodesRow(page, header).getByRole('cell').nth(which);
  return ((await cell.textContent({ timeout: SHOWN })) ?? '').replace(/\s+/g, ' ').trim();
}
