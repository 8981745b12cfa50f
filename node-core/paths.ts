/**
 * Files the node reads from its own installation, all relative to one folder: the one holding package.json.
 * From source that is the repository; from the built service (npm run build:node) it is dist/node, where
 * scripts/build-node.ts puts the same files at the same relative places. Keep this module directly in
 * node-core/: the bundle sits at that depth too, so `..` means the package root in both.
 */
export const packageRoot = new URL('../', import.meta.url);

export const packageJsonPath = new URL('package.json', packageRoot);

/** The built dashboard (npm run build:renderer). */
export const dashboardDir = new URL('dist/renderer', packageRoot);

/** The committed development key pair (assets/license/README.md): never for production. */
export const devPublicKeyUrl = new URL('assets/license/dev-public-key.pem', packageRoot);
export const devPrivateKeyUrl = new URL('assets/license/dev-private-key.pem', packageRoot);
