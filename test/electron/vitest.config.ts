// The desktop shell's tests (npm run test:electron): plain Node, a fake Electron, real nodes where useful.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'electron',
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['test/electron/**/*.test.ts'],
    environment: 'node',
    // Real nodes start inside some tests; their pino logs would bury the report.
    env: { TANDEM_LOG_LEVEL: 'silent' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
