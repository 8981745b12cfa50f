/**
 * Runs in node (build time), after tsc (npm run build:electron). Puts beside the compiled app what tsc does
 * not emit, so dist/app has the layout electron/main/index.ts expects:
 *   dist/app/package.json                      "type": "module", the version node-core reads, and `main`,
 *                                              so `electron dist/app` (npm run app) starts the shell
 *   dist/app/electron/first-run/{index.html,page.css}
 *   dist/app/assets/tray, dist/app/assets/icons
 *   dist/app/assets/license/dev-public-key.pem the key node-core checks licenses with by default
 * The private development key is NOT copied: it must never ship.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function copyStatic(root: string, out: string): string[] {
  const written: string[] = [];
  const copy = (from: string, to: string): void => {
    fs.mkdirSync(path.dirname(path.join(out, to)), { recursive: true });
    fs.copyFileSync(path.join(root, from), path.join(out, to));
    written.push(to);
  };
  for (const file of ['index.html', 'page.css'])
    copy(`electron/first-run/${file}`, `electron/first-run/${file}`);
  for (const folder of ['assets/tray', 'assets/icons']) {
    for (const file of fs.readdirSync(path.join(root, folder)).filter((f) => f.endsWith('.png'))) {
      copy(`${folder}/${file}`, `${folder}/${file}`);
    }
  }
  copy('assets/license/dev-public-key.pem', 'assets/license/dev-public-key.pem');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  fs.writeFileSync(
    path.join(out, 'package.json'),
    JSON.stringify(
      {
        name: 'tandem',
        productName: 'Tandem',
        version: pkg.version,
        private: true,
        type: 'module',
        main: 'electron/main/index.js',
      },
      null,
      2,
    ) + '\n',
  );
  written.push('package.json');
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const written = copyStatic(root, path.join(root, 'dist', 'app'));
  console.log(`copied ${written.length} files into dist/app`);
}
