/** `GET`/`PUT /api/settings` against real node processes: saved now, in effect after the next start. */
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeSettings } from '../../node-core/index.ts';
import { ANY_PORT, makePair, NodeProcess, type Pair, tempDir } from './harness.ts';

type SettingsView = NodeSettings & { pending: NodeSettings | null };
type Problem = { error: { code: string; message: string } };

describe('settings over the API', () => {
  const started: NodeProcess[] = [];
  let pair: Pair | null = null;

  afterAll(async () => {
    await Promise.all(started.map((n) => n.kill('SIGKILL')));
    await pair?.stop();
  });

  it('a valid change is saved, answered with what was saved, and in effect after a restart', async () => {
    const node = new NodeProcess(tempDir('settings'), ANY_PORT, []);
    started.push(node);
    await node.start();

    const before = await node.api<SettingsView>('GET', '/api/settings');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ mode: 'independent', standby: 'warm', pending: null });
    expect(before.body.timing).toEqual({
      pingRateMs: 1000,
      pingTimeoutMs: 3000,
      missedPings: 3,
      failoverTimeMs: 10_000,
      connectionWaitMs: 10_000,
    });

    const saved = await node.api<Record<string, unknown>>('PUT', '/api/settings', {
      name: 'boiler-house',
      standby: 'cold',
      timing: { pingRateMs: 500, failoverTimeMs: 4000 },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      saved: true,
      restartRequired: true,
      warnings: [],
      settings: { name: 'boiler-house', standby: 'cold', timing: { pingRateMs: 500, failoverTimeMs: 4000 } },
    });

    // Not in effect yet: the node still runs with what it started with, and says what waits.
    const waiting = await node.api<SettingsView>('GET', '/api/settings');
    expect(waiting.body.timing.pingRateMs).toBe(1000);
    expect(waiting.body.pending).toMatchObject({ name: 'boiler-house', timing: { pingRateMs: 500 } });
    expect((await node.status())?.node.name).not.toBe('boiler-house');

    expect(await node.kill('SIGTERM')).toBe(0);
    await node.start();
    const after = await node.api<SettingsView>('GET', '/api/settings');
    expect(after.body).toMatchObject({
      name: 'boiler-house',
      standby: 'cold',
      timing: { pingRateMs: 500, pingTimeoutMs: 3000, failoverTimeMs: 4000 },
      pending: null,
    });
    expect((await node.status())?.node).toMatchObject({ name: 'boiler-house', standbyLevel: 'cold' });
  });

  it('a bad body answers 400 naming the field and changes nothing, before or after a restart', async () => {
    const node = new NodeProcess(tempDir('settings-bad'), ANY_PORT, []);
    started.push(node);
    await node.start();
    const before = await node.api<SettingsView>('GET', '/api/settings');

    const tooFast = await node.api<Problem>('PUT', '/api/settings', {
      standby: 'cold',
      timing: { pingRateMs: 0 },
    });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.error.message).toBe(
      'timing.pingRateMs: must be a whole number of milliseconds from 1 to 3600000',
    );

    const noMaster = await node.api<Problem>('PUT', '/api/settings', { mode: 'backup' });
    expect(noMaster.status).toBe(400);
    expect(noMaster.body.error.message).toBe('masterHost: is required for a backup');

    const unknown = await node.api<Problem>('PUT', '/api/settings', { timing: { pingRate: 5 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('timing.pingRate: is not a setting');

    const malformed = await node.api<Problem>('PUT', '/api/settings', '{"standby": "cold",');
    expect(malformed.status).toBe(400);

    expect(await node.api<SettingsView>('GET', '/api/settings')).toEqual(before);
    await node.kill('SIGTERM');
    // Restarted as first started, `--api-port 0`: the stored settings (port 0: any free port) stay as they were.
    node.apiPort = ANY_PORT;
    await node.start();
    expect((await node.api<SettingsView>('GET', '/api/settings')).body).toEqual(before.body);
  });

  it('warns, and still saves, when a master would not wait long enough for manual recovery', async () => {
    const node = new NodeProcess(tempDir('settings-warn'), ANY_PORT, []);
    started.push(node);
    await node.start();
    const answer = await node.api<{ saved: boolean; warnings: string[] }>('PUT', '/api/settings', {
      mode: 'master',
      recovery: 'manual',
      timing: { connectionWaitMs: 2000 },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.saved).toBe(true);
    expect(answer.body.warnings).toEqual([
      expect.stringContaining('timing.connectionWaitMs: 2000 ms is shorter than the 4000 ms'),
    ]);
  });

  it('needs the token like the rest of the API', async () => {
    const node = started[0]!;
    const answer = await fetch(`${node.url}/api/settings`);
    expect(answer.status).toBe(401);
  });

  it('each node of a pair has its own settings: the standby answers and saves them itself (no 307)', async () => {
    pair = await makePair();
    await pair.master.start();
    await pair.backup.start();
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'linked',
    );

    const own = await pair.backup.api<SettingsView>('GET', '/api/settings');
    expect(own.status).toBe(200);
    expect(own.body.mode).toBe('backup');
    const saved = await pair.backup.api<{ settings: NodeSettings }>('PUT', '/api/settings', {
      standby: 'cold',
    });
    expect(saved.status).toBe(200);
    expect(saved.body.settings.standby).toBe('cold');
    expect((await pair.master.api<SettingsView>('GET', '/api/settings')).body.pending).toBeNull();
  });
});
