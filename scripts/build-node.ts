/**
 * `npm run build:node`: the headless service as plain JavaScript in dist/node, the tree an installer copies
 * beside node_modules. One bundle (rolldown) instead of ~150 TypeScript files stripped at every start: the
 * node is active in about half the time and idles ~40 MB smaller (npm run bench prints both).
 *
 *   dist/node/node-core/tandem-node.js   the CLI (node-core/cli/main.ts) and all it imports, except
 *   dist/node/node-core/store-worker.js   the store thread's program (WAL checkpoints, the integrity check)
 *   dist/node/node-core/*.js             lazily loaded chunks (X.509, Modbus, metrics)
 *   dist/node/package.json               "type": "module" and the version the node reports
 *   dist/node/assets/license/dev-public-key.pem
 *   dist/node/dist/renderer/             the dashboard (npm run build:renderer runs first)
 *
 * node-core/paths.ts finds its files from the nearest package.json above the bundle (dist/node/package.json),
 * so they land on the same files as from source. better-sqlite3 stays outside: it loads its native binary from node_modules; so does
 * node-opcua, which reads its nodeset XML files from its own package folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');
const serviceDir = path.join(root, 'dist/node');
const serviceEntry = path.join(serviceDir, 'node-core/tandem-node.js');

async function buildService(): Promise<void> {
  fs.rmSync(serviceDir, { recursive: true, force: true });
  await build({
    input: {
      'tandem-node': path.join(root, 'node-core/cli/main.ts'),
      // Started by file as a worker thread, beside the bundle (node-core/store/store-thread.ts).
      'store-worker': path.join(root, 'node-core/store/store-worker.ts'),
    },
    platform: 'node',
    // node-opcua reads its nodeset files beside its own modules, so it loads from node_modules too (docs/opcua.md).
    external: ['better-sqlite3', /^node-opcua/],
    logLevel: 'warn',
    output: { dir: path.join(serviceDir, 'node-core'), format: 'esm', chunkFileNames: '[name]-[hash].js' },
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  fs.writeFileSync(
    path.join(serviceDir, 'package.json'),
    JSON.stringify({ name: 'tandem-node', version: pkg.version, private: true, type: 'module' }, null, 2) +
      '\n',
  );
  const key = 'assets/license/dev-public-key.pem';
  fs.mkdirSync(path.dirname(path.join(serviceDir, key)), { recursive: true });
  fs.copyFileSync(path.join(root, key), path.join(serviceDir, key));
  const dashboard = path.join(root, 'dist/renderer');
  if (!fs.existsSync(path.join(dashboard, 'index.html')))
    throw new Error('dist/renderer is missing: build the dashboard first (npm run build:node does)');
  fs.cpSync(dashboard, path.join(serviceDir, 'dist/renderer'), { recursive: true });
}

if (import.meta.main) {
  await buildService();
  console.log(`Built ${path.relative(root, serviceEntry)}`);
}
