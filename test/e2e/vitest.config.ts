// The dashboard's browser tests (npm run test:e2e): Debian's Chromium driven by playwright-core against two
// real nodes. Files run one after another: each starts two nodes and a browser, and the machine is small.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
