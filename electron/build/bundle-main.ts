/**
 * Runs in node (build time), in `npm run build:electron`. Bundles the desktop shell's main process with
 * node-core (rolldown), as scripts/build-node.ts bundles the service: the app then loads one file instead of
 * ~200 compiled modules, and starts its node as fast as the service does.
 *
 *   dist/app/electron/main/index.js          electron/main/index.ts and all it imports
 *   dist/app/electron/main/store-worker.js   the store thread's program, beside the code that starts it
 *                                            (node-core/store/store-thread.ts)
 *   dist/app/electron/main/*-[hash].js       lazily loaded chunks (X.509, Modbus, metrics, OPC UA)
 *
 * The entry keeps the depth of its source (electron/main/index.ts), so the paths it finds from `../../`
 * land on dist/app as they land on the repository. Left outside, loaded from node_modules: `electron`
 * itself, better-sqlite3 (its native binary, rebuilt for Electron's ABI at packaging) and node-opcua (it
 * reads its nodeset files beside its own modules).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

export async function bundleMain(root: string, out: string): Promise<void> {
  // Chunk names change with their content, and dist/app/node-core is what tsc emitted before this bundle:
  // neither may linger into a package.
  for (const stale of ['electron/main', 'node-core'])
    fs.rmSync(path.join(out, stale), { recursive: true, force: true });
  await build({
    input: {
      index: path.join(root, 'electron/main/index.ts'),
      'store-worker': path.join(root, 'node-core/store/store-worker.ts'),
    },
    platform: 'node',
    external: ['electron', 'better-sqlite3', /^node-opcua/],
    logLevel: 'warn',
    output: { dir: path.join(out, 'electron/main'), format: 'esm', chunkFileNames: '[name]-[hash].js' },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await bundleMain(root, path.join(root, 'dist', 'app'));
  console.log('bundled dist/app/electron/main/index.js');
}
