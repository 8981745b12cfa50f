/**
 * The API fuzzer (test/fuzz/api-fuzz.ts) keeps a list of the routes it sends requests to. A route added to
 * the API and not to that list would go unfuzzed without anyone noticing (the users and session routes
 * did); this compares the list with the routes a real node's API registers.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../node-core/logging.ts';
import { createNode, type RunningNode } from '../../node-core/node/create-node.ts';
import { KINDS, LOGIN, ROUTES } from '../fuzz/api-fuzz.ts';
import { tempDir } from './harness.ts';

/** `METHOD /a/:x/b` and `METHOD /a/*` alike as `METHOD /a/:/b`, `METHOD /a/:`. */
function shape(route: string): string {
  return route.replace(/:[^/]+/g, ':').replace(/\*$/, ':');
}

function fuzzedShapes(): Set<string> {
  const shapes = new Set<string>();
  for (const [method, template] of [...ROUTES, LOGIN]) {
    const paths = template.includes(':kind') ? KINDS.map((k) => template.replace(':kind', k)) : [template];
    for (const p of paths) shapes.add(shape(`${method} ${p}`));
  }
  return shapes;
}

describe('API routes', () => {
  const dir = tempDir('api-routes');
  let running: RunningNode | null = null;

  afterAll(async () => {
    await running?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every route the API answers is one the fuzzer sends requests to', async () => {
    running = await createNode(
      {
        dataDir: dir,
        settings: { name: 'routes', mode: 'independent', apiPort: 0, peerPort: 0, opcuaPort: 0 },
      },
      { logger: silentLogger },
    );
    // The list is the API's own: it holds the routes every node has.
    expect(running.apiRoutes).toContain('GET /api/status');
    const fuzzed = fuzzedShapes();
    expect(running.apiRoutes.filter((route) => !fuzzed.has(shape(route)))).toEqual([]);
  }, 60_000);
});
