// Builds the dashboard into dist/renderer; node-core serves index.html at `/` and the files at `/assets/…`.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  // Keep Vite's cache in the root node_modules, not a second node_modules under renderer/.
  cacheDir: `${root}/../node_modules/.vite/renderer`,
  plugins: [svelte()],
  build: {
    outDir: `${root}/../dist/renderer`,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Inline data: URLs would need a looser CSP; keep every asset a file.
    assetsInlineLimit: 0,
    // Two pages: a node's dashboard, and the fleet dashboard that `tandem-node monitor` serves (docs/monitor.md).
    rollupOptions: { input: { index: `${root}/index.html`, fleet: `${root}/fleet.html` } },
  },
});
