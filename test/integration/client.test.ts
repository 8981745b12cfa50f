import { afterEach, describe, expect, it } from 'vitest';
import { TandemClient, type LiveMessage } from '../../node-core/client/index.ts';
import { formPair, makePair, type Pair } from './harness.ts';

let pair: Pair | null = null;
afterEach(async () => {
  await pair?.stop();
  pair = null;
});

describe('client library against a real pair', () => {
  it("follows the standby's 307, fails over by itself, and never runs a retried command twice", async () => {
    pair = await formPair(await makePair());
    const { master, backup } = pair;
    const tokens = { [master.url]: master.token, [backup.url]: backup.token };
    const client = new TandemClient({
      nodes: [backup.url, master.url],
      token: tokens,
      retryDelayMs: 200,
      rounds: 40,
    });
    const wrongToken = new TandemClient({ nodes: [master.url], token: 'not-the-token', rounds: 1 });
    await expect(
      wrongToken.putTag('x', { dataType: 'int', source: { kind: 'memory' } }),
    ).rejects.toMatchObject({ status: 401 });

    await client.putTag('counter', { dataType: 'int', source: { kind: 'memory' } });
    expect(client.currentNode).toBe(master.url);

    const messages: LiveMessage[] = [];
    const stop = client.subscribe((m) => messages.push(m));
    const results: { uid: string; executed: boolean }[] = [];
    let killed = false;
    for (let i = 1; i <= 30; i++) {
      if (i === 10) {
        void master.kill('SIGKILL');
        killed = true;
      }
      results.push(await client.writeTag('counter', i, `write-${i}`));
    }
    expect(killed).toBe(true);
    // The write in flight at the kill may have reached the backup before its answer was lost: its retry is
    // then answered "already executed". Every other write ran exactly once.
    expect(results.filter((r) => !r.executed).length).toBeLessThanOrEqual(1);
    expect(client.currentNode).toBe(backup.url);
    // A retry of a uid answers the first result (on the node that took over), and runs nothing again.
    const retry = await client.writeTag('counter', 5, 'write-5');
    expect(retry.executed).toBe(false);
    // The same uid for another command is refused, naming its first use.
    await expect(client.writeTag('counter', 999, 'write-5')).rejects.toMatchObject({
      status: 409,
      code: 'UID_REUSED',
    });
    expect((await client.readTag<{ value: number }>('counter')).value).toBe(30);
    stop();
    expect(messages.some((m) => m.type === 'status')).toBe(true);
  });
});
