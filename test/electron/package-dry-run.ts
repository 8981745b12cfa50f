/**
 * Runs in node: `npm run check:electron-package`. Packs the app the way the release does, but offline:
 * electron-builder's `dir` target for Linux, with a stand-in Electron distribution (a folder with a dummy
 * executable, as `electronDist`) and without the native rebuild (both need the network). Then it reads the
 * app.asar it made and checks the layout electron/main/index.ts expects.
 *
 * What this cannot show: that Electron starts it, that better-sqlite3 is rebuilt for Electron's ABI, NSIS and
 * AppImage output. Those need the networked release machine (.github/workflows/release.yml).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface Asar {
  listPackage(archive: string, options: object): string[];
  extractFile(archive: string, file: string): Buffer;
}

function main(): number {
  if (!fs.existsSync(path.join(root, 'dist', 'app', 'electron', 'main', 'index.js'))) {
    console.error('package dry run: dist/app is missing; run npm run build:electron first');
    return 1;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-package-'));
  try {
    const electronDist = path.join(work, 'electron-dist');
    fs.mkdirSync(electronDist);
    fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    fs.writeFileSync(path.join(electronDist, 'version'), electronVersion);
    const output = path.join(work, 'out');
    execFileSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        'dir',
        '--config',
        'electron-builder.yml',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${electronVersion}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${output}`,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      },
    );
    const resources = path.join(output, 'linux-unpacked', 'resources');
    const archive = path.join(resources, 'app.asar');
    const asar = require('@electron/asar') as Asar;
    const files = new Set(asar.listPackage(archive, {}).map((f) => f.replace(/\\/g, '/')));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as { main?: string };
    const problems: string[] = [];
    const need = (file: string): void => {
      if (!files.has(file)) problems.push(`missing in app.asar: ${file}`);
    };
    if (pkg.main !== 'dist/app/electron/main/index.js')
      problems.push(`package.json main is ${String(pkg.main)}`);
    need(`/${pkg.main ?? ''}`);
    for (const file of [
      '/dist/app/package.json',
      '/dist/app/electron/preload/index.cjs',
      '/dist/app/electron/first-run/index.html',
      '/dist/app/electron/first-run/page.js',
      '/dist/app/electron/first-run/page.css',
      // The main process and node-core are one bundle (electron/build/bundle-main.ts), its worker beside it.
      '/dist/app/electron/main/store-worker.js',
      '/dist/app/assets/license/dev-public-key.pem',
      '/dist/app/assets/icons/512x512.png',
      '/dist/renderer/index.html',
      '/node_modules/better-sqlite3/package.json',
      '/node_modules/fastify/package.json',
    ]) {
      need(file);
    }
    for (const state of ['active', 'standby', 'attention', 'fault']) {
      need(`/dist/app/assets/tray/${state}.png`);
      need(`/dist/app/assets/tray/${state}@2x.png`);
    }
    for (const file of files) {
      if (file.startsWith('/dist/app/node-core/'))
        problems.push(`compiled node-core is packed beside the bundle: ${file}`);
      if (file.includes('dev-private-key')) problems.push(`the private development key is packed: ${file}`);
      if (/\.(c?ts)$/.test(file) && !file.endsWith('.d.ts') && !file.includes('/node_modules/')) {
        problems.push(`a source file is packed: ${file}`);
      }
      if (file.startsWith('/node_modules/electron/') || file.startsWith('/node_modules/vitest/')) {
        problems.push(`a development dependency is packed: ${file}`);
      }
    }
    const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
    const nativeFiles = fs.existsSync(unpacked)
      ? fs.readdirSync(unpacked, { recursive: true }).filter((f) => String(f).endsWith('.node'))
      : [];
    if (nativeFiles.length === 0)
      problems.push("better-sqlite3's .node binding is not unpacked from app.asar");
    for (const problem of problems) console.error(`package dry run: ${problem}`);
    console.log(
      `package dry run: ${files.size} entries in app.asar, ${nativeFiles.length} native file(s) unpacked, ` +
        `${problems.length} problem(s)`,
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exit(main());
