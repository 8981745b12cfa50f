/**
 * docs/opcua.md "Bad input": garbage on a real node's OPC UA port never ends the node, and a real client is
 * served afterwards. One packet found by the fuzzer (test/fuzz/opcua-port-fuzz.ts), then a run of its cases.
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closedWithin, connectTcp } from '../fuzz/raw-peer.ts';
import {
  fuzzOpcuaPort,
  inChannel,
  messagesOf,
  recordConversation,
  send,
  startOpcuaFuzzNode,
  typeOf,
} from '../fuzz/opcua-port-fuzz.ts';
import { waitFor, type NodeProcess } from './harness.ts';
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

/**
 * An OpenSecureChannel with SecurityPolicy None (no certificate, no login) whose body names its type with an
 * opaque NodeId (OPC 10000-6 5.2.2.9: encoding 0x05, a ByteString).
 */
function openWithOpaqueType(): Buffer {
  const policy = 'http://opcfoundation.org/UA/SecurityPolicy#None';
  const body = Buffer.alloc(4 + 4 + policy.length + 4 + 4 + 8 + 3 + 4 + 4 + 64);
  let at = body.writeUInt32LE(0, 0); // secure channel id
  at = body.writeInt32LE(policy.length, at);
  at += body.write(policy, at, 'latin1');
  at = body.writeInt32LE(-1, at); // sender certificate: none
  at = body.writeInt32LE(-1, at); // receiver thumbprint: none
  at = body.writeUInt32LE(1, at); // sequence number
  at = body.writeUInt32LE(1, at); // request id
  at = body.writeUInt8(0x05, at); // NodeId encoding: opaque
  at = body.writeUInt16LE(0, at); // namespace
  at = body.writeInt32LE(4, at);
  body.write('fuzz', at, 'latin1');
  return message('OPN', body);
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

  it('an OpenSecureChannel whose body type is an opaque NodeId, without certificate or login, and only secure endpoints offered: answered with an error, the node serves on', async () => {
    const target = await startOpcuaFuzzNode(undefined, { allowInsecure: false });
    node = target.node;
    const socket = await connectTcp(target.port, 5_000);
    expect(socket).not.toBeNull();
    socket!.on('error', () => undefined);
    const received: Buffer[] = [];
    socket!.on('data', (chunk: Buffer) => received.push(chunk));
    socket!.write(hello(`opc.tcp://127.0.0.1:${target.port}`));
    await waitFor(() => (received.length > 0 ? true : undefined), 5_000, 'the Acknowledge');
    socket!.write(openWithOpaqueType());
    // The node closes the connection, with an Error message first (OPC 10000-6 7.1.2.5).
    expect(await closedWithin(socket!, 5_000)).toBe(true);
    const answers = Buffer.concat(received).toString('latin1');
    expect(answers).toMatch(/^ACKF/);
    expect(answers).toContain('ERRF');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(node.child?.exitCode).toBeNull();
    expect((await node.status())?.opcua?.state).toBe('running');
  });

  it('a CreateSession whose client certificate is not DER (its length runs past the end): answered with a service fault, the node serves on', async () => {
    const target = await startOpcuaFuzzNode();
    node = target.node;
    const messages = messagesOf(await recordConversation(target.port));
    const opening = messages.filter((m) => typeOf(m) === 'HEL' || typeOf(m) === 'OPN').slice(0, 2);
    // The CreateSession request: the one message of the conversation that carries the client's certificate.
    const createSession = messages.find((m) => typeOf(m) === 'MSG' && m.includes(Buffer.from([0x30, 0x82])));
    expect(createSession).toBeDefined();
    const broken = Buffer.from(createSession!);
    const der = broken.indexOf(Buffer.from([0x30, 0x82]));
    broken.writeUInt16BE(0xfff0, der + 2);
    // A fresh client nonce (32 bytes before the certificate's length), or the server refuses the replay first.
    expect(broken.readInt32LE(der - 40)).toBe(32);
    crypto.randomBytes(32).copy(broken, der - 36);
    // Sent as the channel's first request: its sequence number (after the message and security headers).
    broken.writeUInt32LE(2, 16);
    const socket = await connectTcp(target.port, 5_000);
    socket!.on('error', () => undefined);
    const received: Buffer[] = [];
    const caseCounts = { answeredInChannel: 0 };
    const sent = await send(
      socket!,
      { index: 0, kind: 'in-channel', chunks: opening, inChannel: (ids) => inChannel([broken], ids) },
      5_000,
      caseCounts,
    );
    socket!.on('data', (chunk: Buffer) => received.push(chunk));
    expect(sent).toBe(true);
    // The answer to it is a message on the channel (the service fault), not the end of the node.
    expect(caseCounts.answeredInChannel).toBe(1);
    socket!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(node.child?.exitCode).toBeNull();
    expect(await servesServiceLevel(target.port)).toBe(255);
  });

  it('two thousand fuzzer cases (random bytes, any header, a real conversation mutated or cut short, requests mutated inside an open channel): no crash, and a real client reads afterwards', async () => {
    const target = await startOpcuaFuzzNode();
    node = target.node;
    const report = await fuzzOpcuaPort(target, { seed: 1207, cases: 2000 });
    expect(report.crash).toBeNull();
    expect(report.cases).toBe(2000);
    expect(report.servesAfter).toBe(true);
    expect(report.leftOpen).toBe(0);
    // The cases inside an open channel reached the services: most were answered with a service response.
    expect(report.notOpened).toBe(0);
    expect(report.answeredInChannel).toBeGreaterThan(report.byKind['in-channel'] / 2);
  });

  it("with only secure endpoints (the default), a thousand cases of what anyone can send before being trusted (an unapproved client's signed and encrypted OpenSecureChannel mutated or cut short, and the rest): no crash, and an approved client reads afterwards", async () => {
    const target = await startOpcuaFuzzNode(undefined, { allowInsecure: false });
    node = target.node;
    const report = await fuzzOpcuaPort(target, { seed: 1208, cases: 1000, secure: true });
    expect(report.crash).toBeNull();
    expect(report.cases).toBe(1000);
    expect(report.servesAfter).toBe(true);
    expect(report.leftOpen).toBe(0);
  });
});
