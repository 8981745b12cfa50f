/**
 * First meaningful paint of the dashboard: from navigation start to the moment the Overview shows the node's
 * name in its Nodes table, in a fresh browser context (nothing cached). A MutationObserver in the page
 * notes the time, so the figure does not depend on how often the test polls. Printed, never asserted.
 */
import type { Browser } from 'playwright-core';

export interface FirstPaint {
  /** Navigation start → the node's name is on the Overview. */
  readonly meaningfulMs: number;
  /** Navigation start → Chromium's first contentful paint (the header), when Chromium reported one. */
  readonly contentfulMs: number | null;
}

export async function measureFirstPaint(
  browser: Browser,
  url: string,
  token: string,
  nodeName: string,
): Promise<FirstPaint> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await page.addInitScript((name: string) => {
      const w = window as unknown as { __tandemNameShownAt?: number };
      const shown = (): boolean =>
        [...document.querySelectorAll('main td')].some((cell) => cell.textContent?.trim() === name);
      new MutationObserver((_records, observer) => {
        if (w.__tandemNameShownAt === undefined && shown()) {
          w.__tandemNameShownAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    }, nodeName);
    await page.goto(`${url}/#token=${token}`);
    const handle = await page.waitForFunction(
      () => (window as unknown as { __tandemNameShownAt?: number }).__tandemNameShownAt,
      undefined,
      { timeout: 20_000 },
    );
    const meaningfulMs = (await handle.jsonValue()) as number;
    const contentfulMs = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    return { meaningfulMs, contentfulMs };
  } finally {
    await context.close();
  }
}

export function describeFirstPaint(paint: FirstPaint): string {
  const fcp =
    paint.contentfulMs === null ? '' : ` (first contentful paint ${paint.contentfulMs.toFixed(0)} ms)`;
  return `${paint.meaningfulMs.toFixed(0)} ms${fcp}`;
}
