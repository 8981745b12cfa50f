/**
 * `node test/e2e/measure-first-paint.ts`: one figure for `npm run bench`. Starts an independent node that
 * serves dist/renderer, opens its dashboard in Chromium and prints the first meaningful paint on one line.
 * Exits 1 with the reason on stderr when it cannot (no build, no Chromium).
 */
import fs from 'node:fs';
import { freePort, NodeProcess, tempDir } from '../integration/harness.ts';
import { CHROMIUM, launchBrowser } from './browser.ts';
import { describeFirstPaint, measureFirstPaint } from './first-paint.ts';

const NAME = 'paint-check';

async function main(): Promise<string> {
  if (!fs.existsSync(new URL('../../dist/renderer/index.html', import.meta.url)))
    throw new Error('no dashboard build: run npm run build:renderer first');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing`);
  const node = new NodeProcess(tempDir('first-paint'), await freePort(), ['--name', NAME]);
  const browser = await launchBrowser();
  try {
    await node.start();
    return describeFirstPaint(await measureFirstPaint(browser, node.url, node.token, NAME));
  } finally {
    await browser.close();
    await node.kill('SIGKILL');
  }
}

main().then(
  (line) => console.log(line),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
