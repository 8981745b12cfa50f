/**
 * The headless service as installers ship it: `npm run build:node` bundles node-core into dist/node, and that
 * bundle (not the TypeScript source the other integration tests run) must start, serve its dashboard, make
 * its identity, form a pair and fail over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANY_PORT, buildService, makePair, NodeProcess, type Pair, runCli, tempDir } from './harness.ts';

const root = path.resolve(import.meta.dirname, '../..');
let BUILT_CLI = '';

let running: { stop(): Promise<unknown> } | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

beforeAll(() => {
  BUILT_CLI = buildService();
}, 130_000);

/** Every output line other than what the CLI prints at a good start: warnings, errors, stack traces. */
function problemLines(output: string): string[] {
  const expected = [
    /^Tandem node ".+" \(\w+\) is up, status \w+\.$/,
    /^Dashboard: http:\/\/\S+$/,
    /^Peer link listening/,
  ];
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !expected.some((pattern) => pattern.test(line)));
}

describe('the built service (dist/node)', () => {
  it('starts an independent node that reports the package version and serves the dashboard', async () => {
    const node = new NodeProcess(tempDir('built'), ANY_PORT, ['--mode', 'independent'], BUILT_CLI);
    running = { stop: () => node.kill('SIGKILL') };
    await node.start();
    const status = await node.waitStatus((s) => s.node.status === 'active', 'independent node active');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(status.node.version).toBe(pkg.version);
    const page = await fetch(`${node.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(node.url + script!)).status).toBe(200);
    // Nothing but the CLI's own lines at start (the harness logs at level warn): the bundle once logged
    // `ReferenceError: __require is not defined` at every start, its store thread (WAL checkpoints) broken by the
    // bundler. A worker that fails does so within moments of the start; this waits a second for it.
    await new Promise((r) => setTimeout(r, 1000));
    expect(problemLines(node.output)).toEqual([]);
  });

  it('loads the OPC UA and MQTT libraries only to serve them: no module a node loads at start holds them', () => {
    // node-opcua costs ~1.5 s and ~100 MB at start; a folder helper once pulled it into the main chunk.
    // mqtt.js (bundled, so found by its client class) ~20 MB.
    const dir = path.dirname(BUILT_CLI);
    const loaded = new Set<string>();
    const withMqtt: string[] = [];
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = fs.readFileSync(path.join(dir, file), 'utf8');
      if (code.includes('class MqttClient')) withMqtt.push(file);
      // Static imports only: `import(...)` loads on demand.
      for (const [, target] of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*"([^"]+)"/g))
        if (target!.startsWith('./')) visit(target!.slice(2));
        else loaded.add(target!);
    };
    visit(path.basename(BUILT_CLI));
    expect([...loaded].filter((name) => name.startsWith('node-opcua'))).toEqual([]);
    expect(withMqtt).toEqual([]);
    expect(loaded).toContain('better-sqlite3');
  });

  it('prints a fingerprint, forms a pair with it and fails over on kill -9', async () => {
    const pair: Pair = await makePair([], [], { cli: BUILT_CLI });
    running = pair;
    const shown = runCli(['fingerprint', '--data-dir', pair.master.dataDir], {}, BUILT_CLI);
    expect(shown.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    await pair.master.start();
    await pair.backup.start();
    const formed = await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.status === 'active',
      'backup standby next to the built master',
    );
    expect(formed.peer?.fingerprint).toBe(shown.stdout.trim());
    await pair.master.kill('SIGKILL');
    const after = await pair.backup.waitStatus((s) => s.node.status === 'active', 'backup takes over');
    expect(after.node.epoch).toBe(2);
  });
});
