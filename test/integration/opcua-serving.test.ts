/**
 * docs/opcua.md "Subscriptions": a real `tandem-node` with node-opcua-client. Items on tags are served on
 * change at whatever sampling interval a client asks for: a change reaches the client at its next publish,
 * and changes inside one sampling interval reach it as the latest of them, once.
 */
import { describe, expect, it } from 'vitest';
import { StatusCodes, type DataValue } from 'node-opcua';
import { waitFor, type NodeProcess } from './harness.ts';
import {
  undoAfterEach,
  LOADED_MACHINE,
  makeOpcuaNode,
  opcuaRunning,
  openConnection,
  type UaConnection,
} from './opcua-client.ts';

const register = undoAfterEach();

const TAG = 'line.speed';

interface Heard {
  readonly value: unknown;
  readonly at: number;
}

/** A node with one memory tag, and a client subscribed to it: publishing every 100 ms, sampling at `samplingMs`. */
async function subscribedClient(samplingMs: number): Promise<{ node: NodeProcess; heard: Heard[] }> {
  const { node, url } = await makeOpcuaNode(register, 'opcua-serving', ['--opcua-allow-insecure']);
  await node.start();
  await node.waitStatus((s) => s.node.status === 'active', 'the node active');
  const put = await node.api('PUT', `/api/config/tags/${TAG}`, {
    dataType: 'float',
    source: { kind: 'memory' },
  });
  expect(put.status).toBe(200);
  await opcuaRunning(node);
  const client: UaConnection = await openConnection(register, url);
  await waitFor(
    async () =>
      (await client.read(client.tagId(TAG))).statusCode.equals(StatusCodes.BadNodeIdUnknown)
        ? undefined
        : true,
    10_000,
    'the tag in the address space',
  );
  const heard: Heard[] = [];
  await client.subscribe(
    [client.tagId(TAG)],
    100,
    (_id, value: DataValue) => heard.push({ value: value.value.value, at: performance.now() }),
    samplingMs,
  );
  await waitFor(() => (heard.length > 0 ? true : undefined), 10_000, 'the initial value');
  return { node, heard };
}

async function write(node: NodeProcess, value: number): Promise<void> {
  const answer = await node.api('POST', `/api/tags/${TAG}/write`, { value });
  expect(answer.status).toBe(200);
}

const arrival = (heard: Heard[], value: number, withinMs: number): Promise<number> =>
  waitFor(() => heard.find((h) => h.value === value)?.at, withinMs, `value ${value} at the client`);

describe('OPC UA: monitored tags are served on change', LOADED_MACHINE, () => {
  it('a tag monitored at a 60 s sampling interval hears a change at the next publish, not at the next sample', async () => {
    const { node, heard } = await subscribedClient(60_000);
    const writtenAt = performance.now();
    await write(node, 1);
    // A sampled item would first look again 60 s after it was made.
    const heardAt = await arrival(heard, 1, 5_000);
    expect(heardAt - writtenAt).toBeLessThan(5_000);
  });

  it('changes inside one sampling interval reach the client once, as the latest of them, when the interval ends', async () => {
    const samplingMs = 2_000;
    const { node, heard } = await subscribedClient(samplingMs);
    await write(node, 1);
    const firstAt = await arrival(heard, 1, 5_000);
    await write(node, 2);
    await write(node, 3);
    const lastAt = await arrival(heard, 3, 10_000);
    // The first change opened the interval: the latest change inside it waits for its end (less one publish).
    expect(lastAt - firstAt).toBeGreaterThanOrEqual(samplingMs - 500);
    // Nothing more: not the folded 2, and not 3 again.
    await new Promise((resolve) => setTimeout(resolve, samplingMs + 500));
    expect(heard.slice(1).map((h) => h.value)).toEqual([1, 3]);
  });
});
