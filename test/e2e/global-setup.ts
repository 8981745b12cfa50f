/**
 * Runs once before the browser tests: the built dashboard and Chromium must both be there (a missing one
 * fails the run with one clear line, never skips it). The nodes serve a private copy of the build, so a
 * `build:renderer` running elsewhere meanwhile cannot empty the folder under a test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, SCREENSHOTS } from './browser.ts';

const BUILT = path.resolve(import.meta.dirname, '../../dist/renderer');

declare module 'vitest' {
  export interface ProvidedContext {
    dashboardDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  if (!fs.existsSync(path.join(BUILT, 'index.html')))
    throw new Error(
      `no dashboard build in ${BUILT}: run \`npm run build:renderer\` first (npm run test:e2e does)`,
    );
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install -y chromium)`,
    );
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-e2e-dashboard-'));
  fs.cpSync(BUILT, copy, { recursive: true });
  project.provide('dashboardDir', copy);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return () => fs.rmSync(copy, { recursive: true, force: true });
}
