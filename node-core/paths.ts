/**
 * Files the node reads from its own installation, all relative to one folder: the nearest one above this
 * module that holds a package.json. From source that is the repository; from the built service
 * (npm run build:node) it is dist/node; from the desktop app's bundle (npm run build:electron) dist/app,
 * inside app.asar once packaged. The build scripts put the same files at the same places relative to it.
 * Found by looking rather than by a fixed `..`, because the bundles sit at different depths below it.
 */
import fs from 'node:fs';

function findPackageRoot(from: URL): URL {
  for (let dir = new URL('./', from); ; dir = new URL('../', dir)) {
    if (fs.existsSync(new URL('package.json', dir))) return dir;
    if (new URL('../', dir).href === dir.href) return new URL('../', from);
  }
}

const packageRoot = findPackageRoot(new URL(import.meta.url));

export const packageJsonPath = new URL('package.json', packageRoot);

/** The built dashboard (npm run build:renderer). */
export const dashboardDir = new URL('dist/renderer', packageRoot);

/** The committed development key pair (assets/license/README.md): never for production. */
export const devPublicKeyUrl = new URL('assets/license/dev-public-key.pem', packageRoot);
export const devPrivateKeyUrl = new URL('assets/license/dev-private-key.pem', packageRoot);
