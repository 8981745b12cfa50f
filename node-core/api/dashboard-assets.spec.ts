import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDashboardAssets } from './dashboard-assets.ts';

describe('registerDashboardAssets', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-assets-'));
    fs.mkdirSync(path.join(dir, 'assets', 'fonts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1);');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.css'), 'body{}');
    fs.writeFileSync(path.join(dir, 'assets', 'fonts', 'a.woff2'), 'x');
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(os.tmpdir(), 'tandem-assets-secret.txt'), 'secret');
    app = Fastify();
    registerDashboardAssets(app, dir);
  });

  afterEach(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a built file with its content type and a long cache', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1);');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');

    const css = await app.inject({ method: 'GET', url: '/assets/index-abc.css?v=2' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const font = await app.inject({ method: 'GET', url: '/assets/fonts/a.woff2' });
    expect(font.statusCode).toBe(200);
    expect(font.headers['content-type']).toBe('font/woff2');
  });

  it.each([
    '/assets/missing.js',
    '/assets/',
    '/assets/fonts',
    '/assets/../index.html',
    '/assets/%2e%2e/index.html',
    '/assets/..%2findex.html',
    '/assets/%2e%2e%2f%2e%2e%2ftandem-assets-secret.txt',
    '/assets/..%5cindex.html',
    '/assets/.hidden',
    '/assets/index-abc.js%00.png',
  ])('answers 404 for %s', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('doctype');
  });

  it('does not follow a symlink out of the assets folder', async () => {
    fs.symlinkSync(path.join(dir, 'index.html'), path.join(dir, 'assets', 'link.js'));
    const response = await app.inject({ method: 'GET', url: '/assets/link.js' });
    expect(response.statusCode).toBe(404);
  });

  it('answers 404 when no dashboard is built', async () => {
    const bare = Fastify();
    registerDashboardAssets(bare, null);
    const response = await bare.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(response.statusCode).toBe(404);
    await bare.close();
  });
});
