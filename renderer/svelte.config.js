// Svelte compiler options for the dashboard, read by the Vite plugin and by svelte-check.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('svelte/compiler').CompileOptions & { preprocess: unknown }} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
