/**
 * `GET /assets/*`: the built dashboard's files (dist/renderer/assets). Vite names them by content hash,
 * so they are cached for a year. Only plain files directly under `dir/assets` (or its subfolders) are
 * served: no `..`, no encoded separators, no symlink leading out; anything else is 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A segment of an asset path: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function registerDashboardAssets(app: FastifyInstance, dir: string | null): void {
  const root = dir ? path.resolve(dir, 'assets') : null;

  app.get('/assets/*', async (request, reply) => {
    const notFound = () =>
      reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such dashboard file' } });
    if (!root) return notFound();
    const file = await resolveAsset(root, (request.params as { '*'?: string })['*'] ?? '');
    if (!file) return notFound();
    return reply
      .header(
        'content-type',
        CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      )
      .header('content-length', String(file.size))
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(fs.createReadStream(file.path));
  });
}

/** The real path and size of the asset, or null when the request names anything but a file inside `root`. */
async function resolveAsset(root: string, requested: string): Promise<{ path: string; size: number } | null> {
  const segments = requested.split('/');
  if (segments.length === 0 || !segments.every((s) => SAFE_SEGMENT.test(s))) return null;
  try {
    const realRoot = await fs.promises.realpath(root);
    const real = await fs.promises.realpath(path.join(realRoot, ...segments));
    if (!real.startsWith(realRoot + path.sep)) return null;
    const stat = await fs.promises.stat(real);
    return stat.isFile() ? { path: real, size: stat.size } : null;
  } catch {
    return null;
  }
}
