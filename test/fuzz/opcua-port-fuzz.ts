/**
 * Fuzzes a real node's OPC UA port: random bytes, message headers with any type and size, and a real
 * client's conversation (HEL, OPN, CreateSession, Read, CreateSubscription..., recorded once through a relay
 * with SecurityPolicy None) mutated or cut short. A crash is the node process exiting, its status API no
 * longer answering, or its OPC UA server no longer running; any crash makes the run exit non-zero and names
 * the cases in flight. After the cases, a real client must still connect and read.
 *
 *   npx node test/fuzz/opcua-port-fuzz.ts --cases 20000 --seed 1 [--concurrency 32] [--first 0] [--secure]
 *
 * `--secure`: the node offers only secure endpoints (the default setting), and the conversation mutated is an
 * unapproved client's signed and encrypted OpenSecureChannel: what anyone can send before being trusted.
 *
 * Every case is made from the seed, its number and the recorded conversation: `--first K --cases 1` replays
 * case K against the same recording (the recording itself differs between runs only in nonces and ids).
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { DataType } from 'node-opcua';
import { ANY_PORT, freePort, NodeProcess, tempDir } from '../integration/harness.ts';
import { addOperator, openApproved, UaConnection } from '../integration/opcua-client.ts';
import { Prng } from '../simulation/prng.ts';
import { closedWithin, connectTcp, receiveUntil } from './raw-peer.ts';

export type OpcuaCaseKind = 'garbage' | 'header' | 'mutated' | 'truncated' | 'in-channel';

export interface OpcuaFuzzReport {
  readonly cases: number;
  readonly byKind: Record<OpcuaCaseKind, number>;
  readonly refused: number;
  readonly leftOpen: number;
  /** `in-channel` cases whose channel the server did not open (should be none). */
  readonly notOpened: number;
  /** `in-channel` cases answered with a service response (the rest were refused at the channel). */
  readonly answeredInChannel: number;
  readonly seconds: number;
  readonly crash: { readonly reason: string; readonly inFlight: readonly number[] } | null;
  /** Whether a real client connected and read ServiceLevel after all the cases. */
  readonly servesAfter: boolean;
}

/**
 * A node serving OPC UA; by default with SecurityPolicy None allowed, so that mutated plaintext reaches the
 * decoders (the recording needs it).
 */
export async function startOpcuaFuzzNode(
  cli?: string,
  { allowInsecure = true } = {},
): Promise<{ node: NodeProcess; port: number }> {
  const port = await freePort();
  const node = new NodeProcess(
    tempDir('fuzz-opcua'),
    ANY_PORT,
    ['--opcua-port', String(port), ...(allowInsecure ? ['--opcua-allow-insecure'] : [])],
    cli,
  );
  addOperator(node.dataDir);
  await node.start();
  await node.waitStatus((s) => s.node.status === 'active', 'the node active');
  await node.api('PUT', '/api/config/tags/fuzz.level', { dataType: 'float', source: { kind: 'memory' } });
  await node.waitStatus((s) => s.opcua?.state === 'running', 'the OPC UA server to run', 60_000);
  return { node, port };
}

/**
 * What a real client sends on the connection that carries its session, through a relay: anonymous, None,
 * reading ServiceLevel and a tag, subscribing to the tag, writing to it (refused: anonymous) and closing.
 * `secure`: what a client with a certificate the node has not approved sends asking for a SignAndEncrypt
 * channel (its Hello and OpenSecureChannel: signed, encrypted, refused), the surface anyone can reach.
 */
export async function recordConversation(port: number, secure = false): Promise<Buffer> {
  const streams: Buffer[][] = [];
  const relay = net.createServer((client) => {
    const written: Buffer[] = [];
    streams.push(written);
    const server = net.connect(port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      written.push(Buffer.from(chunk));
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      server.destroy();
    };
    for (const socket of [client, server]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = (relay.address() as net.AddressInfo).port;
  try {
    if (secure) {
      await UaConnection.open(`opc.tcp://127.0.0.1:${relayPort}`, 'operator', 'sign-and-encrypt').then(
        () => Promise.reject(new Error('a certificate nobody approved was let in')),
        () => undefined,
      );
    } else {
      const client = await UaConnection.open(`opc.tcp://127.0.0.1:${relayPort}`, 'anonymous', 'none');
      await client.serviceLevel();
      await client.read(client.tagId('fuzz.level'));
      await client.subscribe([client.tagId('fuzz.level')], 100, () => undefined);
      await client.write(client.tagId('fuzz.level'), DataType.Double, 1).catch(() => undefined);
      await client.close();
    }
  } finally {
    relay.close();
  }
  const conversations = streams.map((s) => Buffer.concat(s));
  const chosen = secure
    ? conversations.find(
        (c) => c.includes('SecurityPolicy#Basic256Sha256') || c.includes('SecurityPolicy#Aes256'),
      )
    : conversations.sort((a, b) => b.length - a.length)[0];
  if (!chosen || chosen.length < 100) throw new Error('recorded no conversation through the relay');
  return chosen;
}

export interface OpcuaCase {
  readonly index: number;
  readonly kind: OpcuaCaseKind;
  /** Sent at once; for `in-channel`, the Hello and the OpenSecureChannel, each after the answer to the last. */
  readonly chunks: readonly Buffer[];
  /**
   * `in-channel` only: the rest of the conversation, made once the channel is open: its messages carry the
   * channel's id and token (so they reach the service decoders), then are mutated.
   */
  readonly inChannel?: (channel: ChannelIds) => Buffer[];
}

interface ChannelIds {
  readonly channelId: number;
  readonly tokenId: number;
}

/** The conversation's messages, one Buffer each (OPC UA's header gives each message's size). */
export function messagesOf(conversation: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= conversation.length;) {
    const size = conversation.readUInt32LE(at + 4);
    if (size < 8) break;
    out.push(conversation.subarray(at, at + size));
    at += size;
  }
  return out;
}

export const typeOf = (message: Buffer): string => message.toString('latin1', 0, 3);

const MESSAGE_TYPES = ['HEL', 'ACK', 'OPN', 'CLO', 'MSG', 'ERR', 'RHE', 'XYZ'] as const;
const EXTREME_SIZES = [0, 1, 7, 8, 9, 32, 0x7fffffff, 0x80000000, 0xffffffff, 8192, 65535, 65536] as const;
const EXTREME_INT32 = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x10000] as const;

export function makeOpcuaCase(
  seed: number,
  index: number,
  conversation: Buffer,
  { inChannelCases = true } = {},
): OpcuaCase {
  const prng = new Prng((Math.imul(seed, 0x01000193) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const roll = prng.next();
  if (roll < 0.1) return { index, kind: 'garbage', chunks: [randomBytes(prng, prng.int(1, 2048))] };
  if (roll < 0.25) return { index, kind: 'header', chunks: maybeSplit(prng, header(prng)) };
  if (roll < 0.35)
    return {
      index,
      kind: 'truncated',
      chunks: maybeSplit(prng, conversation.subarray(0, prng.int(1, conversation.length - 1))),
    };
  if (roll < 0.6 || !inChannelCases)
    return { index, kind: 'mutated', chunks: maybeSplit(prng, mutate(prng, conversation)) };
  const messages = messagesOf(conversation);
  const opening = messages.filter((m) => typeOf(m) === 'HEL' || typeOf(m) === 'OPN').slice(0, 2);
  const rest = messages.slice(opening.length);
  return {
    index,
    kind: 'in-channel',
    chunks: opening,
    inChannel: (ids) => maybeSplit(prng, mutate(prng, Buffer.concat(inChannel(rest, ids)))),
  };
}

/** Copies of `messages` carrying the channel's id and token (OPC 10000-6 6.7.2: after the message header). */
export function inChannel(messages: readonly Buffer[], { channelId, tokenId }: ChannelIds): Buffer[] {
  return messages.map((m) => {
    const copy = Buffer.from(m);
    if (copy.length >= 16 && typeOf(copy) !== 'OPN') {
      copy.writeUInt32LE(channelId, 8);
      copy.writeUInt32LE(tokenId, 12);
    }
    return copy;
  });
}

/**
 * The channel's id and token in an OpenSecureChannel answer: the token is the channel id followed by the
 * token id and its creation time (OPC 10000-4 ChannelSecurityToken), found by that time being today.
 */
function channelIdsIn(answer: Buffer): ChannelIds | null {
  if (answer.length < 16 || typeOf(answer) !== 'OPN') return null;
  const channelId = answer.readUInt32LE(8);
  const now = Date.now();
  for (let at = 12; at + 16 <= answer.length; at++) {
    if (answer.readUInt32LE(at) !== channelId) continue;
    // DateTime: 100 ns ticks since 1601-01-01.
    const ms = Number(answer.readBigUInt64LE(at + 8) / 10_000n) - 11_644_473_600_000;
    if (Math.abs(ms - now) < 86_400_000) return { channelId, tokenId: answer.readUInt32LE(at + 4) };
  }
  return null;
}

/** The next whole message the server sends (null if it closes or is silent for `timeoutMs`). */
function nextMessage(socket: net.Socket, timeoutMs: number): Promise<Buffer | null> {
  return receiveUntil(socket, timeoutMs, (received) =>
    received.length >= 8 && received.length >= received.readUInt32LE(4)
      ? received.subarray(0, received.readUInt32LE(4))
      : undefined,
  );
}

/** Sends a case; false when the server answered the Hello or the OpenSecureChannel of an `in-channel` case with anything else. */
export async function send(
  socket: net.Socket,
  fuzzCase: OpcuaCase,
  timeoutMs: number,
  counts: { answeredInChannel: number },
): Promise<boolean> {
  if (!fuzzCase.inChannel) {
    for (const chunk of fuzzCase.chunks) if (!socket.destroyed) socket.write(chunk);
    return true;
  }
  let answer: Buffer | null = null;
  for (const message of fuzzCase.chunks) {
    socket.write(message);
    answer = await nextMessage(socket, timeoutMs);
    if (!answer) return false;
  }
  const ids = answer ? channelIdsIn(answer) : null;
  if (!ids) return false;
  const reply = nextMessage(socket, timeoutMs);
  for (const chunk of fuzzCase.inChannel(ids)) if (!socket.destroyed) socket.write(chunk);
  if (typeOf((await reply) ?? Buffer.alloc(3)) === 'MSG') counts.answeredInChannel++;
  return true;
}

function randomBytes(prng: Prng, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = prng.int(0, 255);
  return bytes;
}

/** One message header (type, chunk type, size) and a body of any length, which need not match the size. */
function header(prng: Prng): Buffer {
  const head = Buffer.alloc(8);
  head.write(prng.pick(MESSAGE_TYPES), 0, 'latin1');
  head.write(prng.pick(['F', 'C', 'A', 'Z'] as const), 3, 'latin1');
  const size = prng.chance(0.5) ? prng.pick(EXTREME_SIZES) : prng.int(8, 70_000);
  head.writeUInt32LE(size >>> 0, 4);
  return Buffer.concat([head, randomBytes(prng, prng.int(0, 512))]);
}

/** The conversation with one to eight changes: bytes set, an int set to an extreme, bytes inserted or cut. */
function mutate(prng: Prng, conversation: Buffer): Buffer {
  let bytes = Buffer.from(conversation);
  for (let n = prng.int(1, 8); n > 0; n--) {
    const at = prng.int(0, bytes.length - 1);
    const what = prng.int(0, 4);
    if (what === 0) bytes[at] = prng.int(0, 255);
    else if (what === 1) bytes[at] = prng.pick([0x00, 0xff, 0x7f, 0x80] as const);
    else if (what === 2 && at + 4 <= bytes.length) bytes.writeInt32LE(prng.pick(EXTREME_INT32), at);
    else if (what === 3)
      bytes = Buffer.concat([bytes.subarray(0, at), randomBytes(prng, prng.int(1, 64)), bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + prng.int(1, 64))]);
  }
  return bytes;
}

/** Splits the bytes at random points, so headers arrive in pieces. */
function maybeSplit(prng: Prng, bytes: Buffer): Buffer[] {
  if (!prng.chance(0.2)) return [bytes];
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = prng.int(1, 64);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

export async function fuzzOpcuaPort(
  target: { node: NodeProcess; port: number },
  options: {
    seed: number;
    cases: number;
    first?: number;
    concurrency?: number;
    settleMs?: number;
    /** The node offers only secure endpoints: the cases are what anyone can send before being trusted. */
    secure?: boolean;
  },
): Promise<OpcuaFuzzReport> {
  const secure = options.secure ?? false;
  const conversation = await recordConversation(target.port, secure);
  const first = options.first ?? 0;
  const settleMs = options.settleMs ?? 1000;
  const byKind: Record<OpcuaCaseKind, number> = {
    garbage: 0,
    header: 0,
    mutated: 0,
    truncated: 0,
    'in-channel': 0,
  };
  const inFlight = new Set<number>();
  let next = first;
  let refused = 0;
  let leftOpen = 0;
  let notOpened = 0;
  const counts = { answeredInChannel: 0 };
  let crash: OpcuaFuzzReport['crash'] = null;
  let running = true;
  const started = performance.now();
  const health = async (): Promise<string | null> => {
    if (target.node.child?.exitCode !== null) return `the node exited (${target.node.child?.exitCode})`;
    const status = await target.node.status();
    if (!status) return 'the status API did not answer';
    if (status.opcua?.state !== 'running') return `OPC UA ${status.opcua?.state ?? 'missing'}`;
    return null;
  };
  const watch = (async () => {
    while (running && !crash) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const problem = await health();
      if (problem && !crash) crash = { reason: problem, inFlight: [...inFlight].sort((a, b) => a - b) };
    }
  })();
  const worker = async (): Promise<void> => {
    while (!crash && next < first + options.cases) {
      const index = next++;
      const fuzzCase = makeOpcuaCase(options.seed, index, conversation, { inChannelCases: !secure });
      inFlight.add(index);
      const socket = await connectTcp(target.port, settleMs);
      if (!socket) refused++;
      else {
        socket.on('error', () => undefined);
        if (!(await send(socket, fuzzCase, settleMs, counts))) notOpened++;
        socket.end();
        socket.resume();
        if (!(await closedWithin(socket, settleMs))) leftOpen++;
        socket.destroy();
      }
      inFlight.delete(index);
      byKind[fuzzCase.kind]++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, worker));
  running = false;
  await watch;
  const final = crash ?? (await health());
  if (final && !crash) crash = { reason: final, inFlight: [] };
  let servesAfter = false;
  if (!crash) {
    const url = `opc.tcp://127.0.0.1:${target.port}`;
    const client = secure
      ? await openApproved(target.node, url)
      : await UaConnection.open(url, 'anonymous', 'none');
    servesAfter = (await client.serviceLevel()) === 255;
    await client.close();
  }
  return {
    cases: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    refused,
    leftOpen,
    notOpened,
    answeredInChannel: counts.answeredInChannel,
    seconds: (performance.now() - started) / 1000,
    crash,
    servesAfter,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      first: { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '32' },
      cli: { type: 'string' },
      secure: { type: 'boolean', default: false },
    },
  });
  const target = await startOpcuaFuzzNode(values.cli, { allowInsecure: !values.secure });
  try {
    const report = await fuzzOpcuaPort(target, {
      seed: Number(values.seed),
      cases: Number(values.cases),
      first: Number(values.first),
      concurrency: Number(values.concurrency),
      secure: values.secure,
    });
    console.log(JSON.stringify(report, null, 2));
    if (report.crash)
      console.log(`the node's last output:\n${target.node.output.split('\n').slice(-30).join('\n')}`);
    process.exitCode = report.crash || !report.servesAfter ? 1 : 0;
  } finally {
    await target.node.kill('SIGKILL');
  }
}
