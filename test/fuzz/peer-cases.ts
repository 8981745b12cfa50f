/**
 * The cases of the peer port fuzzer, each made from one seeded PRNG alone (test/simulation/prng.ts), so that a
 * case number and a seed replay the same bytes. A case is a plan: which connection to open (TCP, TLS without a
 * certificate, with a self-made one, with the one the node trusts), and what to send on it.
 */
import { Prng } from '../simulation/prng.ts';
import { closePayload, encodeFrame, hostileFrames, Opcode, type FrameSpec } from './raw-peer.ts';

export type Credential = 'none' | 'stranger' | 'trusted';

export type CaseKind = 'tcp-garbage' | 'tls-http' | 'ws-frames' | 'json-frames';

export interface FuzzCase {
  readonly index: number;
  readonly kind: CaseKind;
  /** `tcp-garbage` opens plain TCP; everything else TLS, with this certificate. */
  readonly credential: Credential;
  /** `ws-frames` and `json-frames` upgrade first; then these are sent in order. */
  readonly upgrade: boolean;
  readonly chunks: readonly Buffer[];
}

/** What a case needs to know of the node: its pair name (a hello that passes the pair check reaches frames). */
export interface CaseContext {
  readonly pairName: string;
}

/** Case `index` of `seed`: independent of every other case, so cases run in any order and in parallel. */
export function makeCase(seed: number, index: number, context: CaseContext): FuzzCase {
  const prng = new Prng((Math.imul(seed, 0x01000193) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const roll = prng.next();
  if (roll < 0.12)
    return { index, kind: 'tcp-garbage', credential: 'none', upgrade: false, chunks: tcpGarbage(prng) };
  if (roll < 0.22)
    return {
      index,
      kind: 'tls-http',
      credential: anyCredential(prng),
      upgrade: false,
      chunks: [httpGarbage(prng)],
    };
  if (roll < 0.6) {
    const credential = anyCredential(prng);
    const chunks: Buffer[] = [];
    if (credential === 'trusted' && prng.chance(0.6))
      chunks.push(textFrame(JSON.stringify(hello(prng, context))));
    const frames = prng.int(1, 4);
    for (let i = 0; i < frames; i++) chunks.push(wsFrame(prng));
    return { index, kind: 'ws-frames', credential, upgrade: true, chunks: maybeSplit(prng, chunks) };
  }
  const chunks: Buffer[] = [
    textFrame(JSON.stringify(prng.chance(0.85) ? hello(prng, context) : mutate(prng, hello(prng, context)))),
  ];
  const frames = prng.int(1, 5);
  for (let i = 0; i < frames; i++) chunks.push(textFrame(jsonFrame(prng)));
  return { index, kind: 'json-frames', credential: 'trusted', upgrade: true, chunks };
}

function anyCredential(prng: Prng): Credential {
  return prng.pick(['none', 'stranger', 'trusted'] as const);
}

/** `length` bytes from the PRNG (four a draw; a long run repeats its first kilobyte, which costs nothing). */
function bytes(prng: Prng, length: number): Buffer {
  const out = Buffer.alloc(length);
  const drawn = Math.min(length, 1024);
  for (let i = 0; i < drawn; i += 4) {
    const word = Math.floor(prng.next() * 0x1_0000_0000);
    for (let j = 0; j < 4 && i + j < drawn; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
  }
  for (let i = drawn; i < length; i += drawn) out.copy(out, i, 0, Math.min(drawn, length - i));
  return out;
}

function tcpGarbage(prng: Prng): Buffer[] {
  switch (prng.int(0, 3)) {
    case 0:
      return [bytes(prng, prng.int(0, 2048))];
    case 1: // a TLS record header (handshake, TLS 1.0-1.3) with a body that is not one
      return [Buffer.concat([Buffer.from([0x16, 3, prng.int(0, 4)]), bytes(prng, prng.int(2, 600))])];
    case 2: // plain HTTP on the TLS port
      return [Buffer.from(`GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n`)];
    default: // a ClientHello cut short, in pieces
      return [Buffer.from([0x16, 3, 1, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]), bytes(prng, prng.int(0, 64))];
  }
}

function httpGarbage(prng: Prng): Buffer {
  const key = bytes(prng, 16).toString('base64');
  const requests = [
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    `GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 8\r\n\r\n`,
    `GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    `POST /peer HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n${'x'.repeat(prng.int(0, 4000))}`,
    `GET /peer HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(prng.int(8000, 70_000))}\r\n\r\n`,
    `GET /peer HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=${prng.int(0, 20)}\r\n\r\n`,
    `${bytes(prng, prng.int(1, 300)).toString('latin1')}\r\n\r\n`,
    'GET /peer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ] as const;
  return Buffer.from(prng.pick(requests), 'latin1');
}

function textFrame(text: string): Buffer {
  return encodeFrame({ opcode: Opcode.text, mask: true, payload: Buffer.from(text) });
}

const HOSTILE = hostileFrames('client');

/** One frame at the byte level: mostly wrong in one way or another. */
function wsFrame(prng: Prng): Buffer {
  if (prng.chance(0.3)) return prng.pick(HOSTILE as [(typeof HOSTILE)[number]]).bytes;
  const opcode = prng.chance(0.7) ? prng.pick([0, 1, 2, 8, 9, 10] as const) : prng.int(0, 15);
  let payload: Buffer;
  if (opcode === Opcode.close && prng.chance(0.7)) {
    const code = prng.pick([
      0, 999, 1000, 1001, 1004, 1005, 1006, 1012, 1015, 1016, 2999, 3000, 4400, 4999, 5000, 65535,
    ] as const);
    payload = closePayload(code, prng.chance(0.3) ? bytes(prng, prng.int(1, 10)) : 'bye');
  } else {
    payload = prng.chance(0.5)
      ? bytes(prng, prng.int(0, prng.chance(0.1) ? 70_000 : 200))
      : Buffer.from(randomJsonText(prng));
  }
  const spec: FrameSpec = {
    opcode,
    fin: prng.chance(0.8),
    rsv: prng.chance(0.1) ? prng.int(1, 7) : 0,
    mask: prng.chance(0.9),
    payload,
    ...(prng.chance(0.15) ? { claimedLength: claimed(prng, payload.length) } : {}),
    ...(prng.chance(0.1) ? { lengthForm: prng.pick([16, 64] as const) } : {}),
  };
  return encodeFrame(spec);
}

function claimed(prng: Prng, actual: number): number | bigint {
  switch (prng.int(0, 4)) {
    case 0:
      return actual + prng.int(1, 1000); // more than is sent: the peer waits for the rest
    case 1:
      return Math.max(0, actual - prng.int(1, 10)); // less: the rest reads as the next frame's header
    case 2:
      return 2n ** BigInt(prng.int(53, 63)) + BigInt(prng.int(0, 1000));
    case 3:
      return 32 * 1024 * 1024 + prng.int(1, 1000); // just over the frame limit
    default:
      return 0;
  }
}

/** Splits the bytes at random points, so frame headers arrive in pieces. */
function maybeSplit(prng: Prng, chunks: Buffer[]): Buffer[] {
  if (!prng.chance(0.2)) return chunks;
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const size = prng.int(1, 16);
    out.push(all.subarray(at, at + size));
    at += size;
  }
  return out;
}

function hello(prng: Prng, context: CaseContext): Record<string, unknown> {
  return {
    t: 'hello',
    protocol: 1,
    nodeId: `fuzz-${prng.int(0, 1_000_000)}`,
    name: context.pairName,
    mode: 'backup',
    status: prng.pick(['standby', 'active', 'starting'] as const),
    epoch: prng.int(0, 3),
    activeSince: null,
    startedAt: new Date(0).toISOString(),
    version: 'fuzz',
    apiUrl: '',
    license: { state: 'missing' },
    standby: 'cold',
  };
}

const HEX64 = 'a'.repeat(64);

/** Frames of every kind the link knows, right in shape, as starting points for mutation. */
function template(prng: Prng): Record<string, unknown> {
  const change = {
    seq: prng.int(1, 5),
    epoch: 0,
    origin: 'fuzz',
    op: 'put',
    kind: prng.pick(['tag', 'device', 'alarm-rule'] as const),
    key: `k${prng.int(0, 9)}`,
    value: JSON.stringify({ address: prng.int(0, 100) }),
    checksum: HEX64,
    at: 0,
  };
  const version = { epoch: 0, hlc: '0:0:fuzz' };
  const templates: Record<string, unknown>[] = [
    { t: 'ping', seq: prng.int(0, 1000) },
    { t: 'pong', seq: prng.int(0, 1000), at: Date.now() },
    {
      t: 'state',
      status: prng.pick(['active', 'standby', 'starting', 'stopping'] as const),
      epoch: prng.int(0, 5),
      activeSince: null,
    },
    { t: 'handover-request', reason: 'operator request' },
    { t: 'handover-ack' },
    { t: 'handover-offer' },
    { t: 'goodbye' },
    {
      t: 'events',
      events: [
        {
          id: `e${prng.int(0, 1e6)}`,
          at: new Date(0).toISOString(),
          kind: 'peer-lost',
          node: 'backup',
          nodeId: 'fuzz',
          from: null,
          to: null,
          reason: 'fuzz',
          durationMs: null,
        },
      ],
    },
    { t: 'sync-request', configHead: { seq: prng.int(0, 5), checksum: HEX64 } },
    { t: 'config-head', head: { seq: prng.int(0, 5), checksum: HEX64 } },
    { t: 'config-changes', changes: [change] },
    {
      t: 'config-snapshot',
      head: { seq: 1, checksum: HEX64 },
      items: [{ kind: 'tag', key: 'k', definition: '{}' }],
      more: prng.chance(0.5),
    },
    { t: 'config-ack', seq: prng.int(0, 5) },
    { t: 'config-conflicts', changes: [change], resolved: [] },
    { t: 'config-conflict-resolved', id: 'c1' },
    {
      t: 'runtime',
      values: [{ name: 'k1', value: prng.int(0, 100), quality: 'good', ts: 0, version }],
      ledger: [{ uid: `u${prng.int(0, 100)}`, command: '{}', result: '{}', at: 0 }],
      alarms: [
        {
          id: 'a',
          active: true,
          activatedAt: 0,
          clearedAt: null,
          acked: false,
          ackedBy: null,
          ackedAt: null,
          version,
        },
      ],
      ackId: prng.chance(0.5) ? 'r1' : null,
    },
    { t: 'runtime-ack', ackId: 'r1' },
    { t: 'sync-done' },
    { t: 'history-request', id: 'h1', after: { fuzz: 0 } },
    {
      t: 'history-samples',
      id: 'h1',
      samples: [{ tag: 'k1', ts: prng.int(0, 1e9), value: 1, quality: 'good', origin: 'fuzz' }],
      more: prng.chance(0.3),
    },
    { t: 'session-request', id: 's1', account: prng.chance(0.5) ? null : 'ops' },
    { t: 'session-grant', id: 's1', token: 't'.repeat(43), user: 'admin token', expiresAt: prng.int(0, 1e9) },
    { t: 'session-refused', id: 's1', reason: 'no account "ops" on this node yet' },
  ];
  return prng.pick(templates as [Record<string, unknown>]);
}

/** A frame of a known kind, sent as is (40%) or with its shape broken; or JSON that is no frame at all. */
function jsonFrame(prng: Prng): string {
  if (prng.chance(0.08)) return randomJsonText(prng);
  const frame = template(prng);
  return JSON.stringify(prng.chance(0.4) ? frame : mutate(prng, frame));
}

/** A wrong value for a field: each is something a schema must refuse or a handler must survive. */
function oddValue(prng: Prng, depth = 0): unknown {
  // Large values (long arrays, deep nesting, long strings) cost time to make and send: one draw in twenty.
  switch (prng.chance(0.05) ? prng.int(8, 13) : prng.pick([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11] as const)) {
    case 0:
      return null;
    case 1:
      return prng.pick([0, -1, -0, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 0.5, 4294967296] as const);
    case 2:
      return prng.pick([
        '',
        'x',
        '__proto__',
        'constructor',
        '\u0000',
        '\ud800',
        'ä'.repeat(300),
        'a'.repeat(5000),
      ] as const);
    case 3:
      return prng.chance(0.5);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return depth < 3 ? [oddValue(prng, depth + 1), oddValue(prng, depth + 1)] : 1;
    case 7:
      return depth < 3
        ? { [prng.pick(['t', 'seq', '__proto__', 'constructor', 'x'] as const)]: oddValue(prng, depth + 1) }
        : 'x';
    case 8:
      return new Array<number>(prng.int(1000, 20_000)).fill(0);
    case 9:
      return prng.pick([
        'hello',
        'ping',
        'state',
        'events',
        'config-changes',
        'runtime',
        'nope',
        'HELLO',
      ] as const);
    case 10:
      return prng.int(-1000, 1000);
    case 11:
      return new Date(prng.int(0, 2 ** 31) * 1000).toISOString();
    case 12:
      return nested(prng.int(100, 3000));
    default:
      return 'a'.repeat(prng.int(0, 300_000));
  }
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function mutate(prng: Prng, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(value);
  const mutations = prng.int(1, 3);
  for (let i = 0; i < mutations; i++) {
    const target = pickObject(prng, out);
    const keys = Object.keys(target);
    const key = keys.length > 0 && prng.chance(0.8) ? prng.pick(keys as [string]) : `extra${prng.int(0, 9)}`;
    if (prng.chance(0.2)) delete target[key];
    else target[key] = oddValue(prng);
  }
  return out;
}

/** The frame itself or an object nested in it (an event, a change, a value), to mutate in depth. */
function pickObject(prng: Prng, root: Record<string, unknown>): Record<string, unknown> {
  let current = root;
  for (let depth = 0; depth < 3 && prng.chance(0.5); depth++) {
    const children = Object.values(current).flatMap((v) =>
      Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : [],
    );
    if (children.length === 0) break;
    current = prng.pick(children as [Record<string, unknown>]);
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function randomJsonText(prng: Prng): string {
  switch (prng.int(0, 5)) {
    case 0:
      return '{"t":';
    case 1:
      return JSON.stringify(oddValue(prng));
    case 2:
      return '['.repeat(prng.chance(0.1) ? prng.int(1000, 100_000) : prng.int(1, 100));
    case 3:
      return '{"t":"ping","seq":1,"seq":"x"}';
    case 4:
      return '{"__proto__":{"t":"ping"},"t":"ping","seq":1}';
    default:
      return `{"t":"state","status":"active","epoch":1e999,"activeSince":null}`;
  }
}
