// Component and client tests of the dashboard, in jsdom: `npm run test:renderer`.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  // Keep Vite's cache in the root node_modules, not a second node_modules under renderer/.
  cacheDir: `${root}/../node_modules/.vite/renderer`,
  // svelteTesting: Svelte's browser build in jsdom, and the DOM cleaned after each test.
  plugins: [svelte(), svelteTesting()],
  test: {
    name: 'renderer',
    include: ['src/**/*.spec.ts'],
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
