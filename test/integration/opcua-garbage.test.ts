/**
 * docs/opcua.md "Bad input": garbage on a real node's OPC UA port never ends the node, and a real client is
 * served afterwards. One packet found by the fuzzer (test/fuzz/opcua-port-fuzz.ts), then a run of its cases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closedWithin, connectTcp } from '../fuzz/raw-peer.ts';
import { fuzzOpcuaPort, startOpcuaFuzzNode } from '../fuzz/opcua-port-fuzz.ts';
import type { NodeProcess } from './harness.ts';
import { LOADED_MACHINE, UaConnection } from './opcua-client.ts';

let node: NodeProcess | null = null;
afterEach(async () => {
  await node?.kill('SIGKILL');
  node = null;
});

/** An OPC UA Hello (OPC 10000-6 7.1.2.3) for `url`. */
function hello(url: string): Buffer {
  const body = Buffer.alloc(20 + 4 + url.length);
  body.writeUInt32LE(0, 0); // protocol version
  body.writeUInt32LE(65_536, 4); // receive buffer size
  body.writeUInt32LE(65_536, 8); // send buffer size
  body.writeUInt32LE(0, 12); // max message size: no limit
  body.writeUInt32LE(0, 16); // max chunk count: no limit
  body.writeInt32LE(url.length, 20);
  body.write(url, 24, 'latin1');
  return message('HEL', body);
}

function message(type: string, body: Buffer, size = 8 + body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(`${type}F`, 0, 'latin1');
  head.writeUInt32LE(size >>> 0, 4);
  return Buffer.concat([head, body]);
}

async function servesServiceLevel(port: number): Promise<number> {
  const client = await UaConnection.open(`opc.tcp://127.0.0.1:${port}`, 'anonymous', 'none');
  try {
    return await client.serviceLevel();
  } finally {
    await client.close();
  }
}

describe('OPC UA: garbage on the OPC UA port never ends the node', LOADED_MACHINE, () => {
  it('a Hello and an oversized message header in one packet: the connection is closed, the node serves on', async () => {
    const target = await startOpcuaFuzzNode();
    node = target.node;
    const socket = await connectTcp(target.port, 5_000);
    expect(socket).not.toBeNull();
    socket!.on('error', () => undefined);
    // The header claims far more than the receive buffer the Hello just set.
    socket!.end(
      Buffer.concat([
        hello(`opc.tcp://127.0.0.1:${target.port}`),
        message('MSG', Buffer.alloc(16), 0xfffffff0),
      ]),
    );
    socket!.resume();
    expect(await closedWithin(socket!, 5_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(node.child?.exitCode).toBeNull();
    expect(await servesServiceLevel(target.port)).toBe(255);
  });

  it('two thousand fuzzer cases (random bytes, any header, a real conversation mutated or cut short): no crash, and a real client reads afterwards', async () => {
    const target = await startOpcuaFuzzNode();
    node = target.node;
    const report = await fuzzOpcuaPort(target, { seed: 1207, cases: 2000 });
    expect(report.crash).toBeNull();
    expect(report.cases).toBe(2000);
    expect(report.servesAfter).toBe(true);
    expect(report.leftOpen).toBe(0);
  });
});
