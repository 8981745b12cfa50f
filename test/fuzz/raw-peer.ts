/**
 * A peer port client (or a fake master) that speaks the WebSocket protocol at the byte level, so tests and the
 * fuzzer can send what no WebSocket library would: unmasked client frames, 64-bit lengths past 2^53, reserved
 * opcodes, fragments without an end, bad close codes. Nothing here checks what comes back beyond the upgrade.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

/** What a frame header says; the payload is given apart, so a header may lie about its length. */
export interface FrameSpec {
  readonly fin?: boolean;
  /** RSV1-3 as a 3-bit number (a peer without extensions must refuse any of them set). */
  readonly rsv?: number;
  readonly opcode: number;
  /** Client frames must be masked, server frames must not: either may be set wrong on purpose. */
  readonly mask: boolean;
  readonly payload: Buffer;
  /** The length the header claims (default: the payload's); a bigint reaches past 2^53. */
  readonly claimedLength?: number | bigint;
  /** Force the 16- or 64-bit length form for a short payload (a non-minimal encoding). */
  readonly lengthForm?: 7 | 16 | 64;
}

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** The bytes of one frame as `spec` says, masked with a random key when `mask` is set. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const claimed = BigInt(spec.claimedLength ?? spec.payload.length);
  const form = spec.lengthForm ?? (claimed < 126n ? 7 : claimed < 65536n ? 16 : 64);
  const head: number[] = [
    (spec.fin === false ? 0 : 0x80) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f),
  ];
  const maskBit = spec.mask ? 0x80 : 0;
  let length: Buffer;
  if (form === 7) {
    head.push(maskBit | Number(claimed & 0x7fn));
    length = Buffer.alloc(0);
  } else if (form === 16) {
    head.push(maskBit | 126);
    length = Buffer.alloc(2);
    length.writeUInt16BE(Number(claimed & 0xffffn));
  } else {
    head.push(maskBit | 127);
    length = Buffer.alloc(8);
    length.writeBigUInt64BE(claimed & 0xffff_ffff_ffff_ffffn);
  }
  if (!spec.mask) return Buffer.concat([Buffer.from(head), length, spec.payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(spec.payload);
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i & 3]!;
  return Buffer.concat([Buffer.from(head), length, key, masked]);
}

/** A close frame's payload: the code (any 16-bit number, valid or not) and a reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code & 0xffff);
  return Buffer.concat([head, Buffer.isBuffer(reason) ? reason : Buffer.from(reason)]);
}

/** The HTTP request that asks for the WebSocket upgrade of `/peer`. */
export function upgradeRequest(port: number, extraHeaders = ''): Buffer {
  return Buffer.from(
    `GET /peer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `${extraHeaders}\r\n`,
  );
}

export interface TlsClientOptions {
  readonly port: number;
  /** A certificate to present, as made by `clientContext` (none: the client offers no certificate). */
  readonly context?: tls.SecureContext;
  /** Ends the attempt (destroying the socket) if it has not connected by then. */
  readonly timeoutMs: number;
  /** A TLS session to resume (no certificates sent again, no signatures: a far cheaper handshake). */
  readonly session?: Buffer;
  /** Told of the session tickets the server gives, for a later `session`. */
  readonly onSession?: (session: Buffer) => void;
}

/** A client certificate to present, made once (a context per connection would cost a PEM parse each time). */
export function clientContext(identity: {
  readonly keyPem: string;
  readonly certPem: string;
}): tls.SecureContext {
  return tls.createSecureContext({ key: identity.keyPem, cert: identity.certPem });
}

/** A TLS connection to 127.0.0.1:port, resolved once the handshake is done (or null if it failed). */
export function connectTls(options: TlsClientOptions): Promise<tls.TLSSocket | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: options.port,
      rejectUnauthorized: false,
      ...(options.context ? { secureContext: options.context } : {}),
      ...(options.session ? { session: options.session } : {}),
    });
    if (options.onSession) socket.on('session', options.onSession);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, options.timeoutMs);
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** A plain TCP connection to 127.0.0.1:port (null if refused or not made within `timeoutMs`). */
export function connectTcp(port: number, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/**
 * Collects what `socket` receives until `complete` makes something of it (resolving with that), the socket
 * closes or `timeoutMs` passes (both null).
 */
export function receiveUntil<T>(
  socket: net.Socket,
  timeoutMs: number,
  complete: (received: Buffer) => T | null | undefined,
): Promise<T | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const done = (value: T | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const made = complete(received);
      if (made !== undefined) done(made);
    };
    const onClose = (): void => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/**
 * Sends the upgrade request and resolves with the bytes that came after the server's 101 answer (the start of
 * its first frames), or null when it answered anything else or nothing within `timeoutMs`.
 */
export function upgrade(socket: net.Socket, port: number, timeoutMs: number): Promise<Buffer | null> {
  const answer = receiveUntil(socket, timeoutMs, (received) => {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const head = received.subarray(0, end).toString('latin1');
    return /^HTTP\/1\.1 101 /.test(head) ? received.subarray(end + 4) : null;
  });
  socket.write(upgradeRequest(port));
  return answer;
}

/** Resolves once `socket` is closed (true), or with false if it is still open after `timeoutMs`. */
export function closedWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      resolve(false);
    }, timeoutMs);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', onClose);
  });
}

/** The Sec-WebSocket-Accept a server answers for a client's key (RFC 6455 4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/**
 * The server side of the upgrade, for a fake master: reads the client's request and answers 101, so that the
 * caller can send frames of its own making. Resolves false if no request came within `timeoutMs`.
 */
export function answerUpgrade(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(received.subarray(0, end).toString('latin1'))?.[1];
      if (!key) return done(false);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
      );
      done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', onData);
  });
}

/** A frame no WebSocket endpoint may accept, by name. */
export interface HostileFrame {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * The malformed frames of issue 14 and their relatives, from a client (`side: 'client'`: masked, as a client
 * must, but for the one that is not) or from a server (unmasked, but for the one that is).
 */
export function hostileFrames(side: 'client' | 'server'): HostileFrame[] {
  const mask = side === 'client';
  const text = (payload: Buffer | string, more: Partial<FrameSpec> = {}): Buffer =>
    encodeFrame({ opcode: Opcode.text, mask, payload: Buffer.from(payload), ...more });
  return [
    { name: '64-bit length above 2^53', bytes: text('', { claimedLength: 2n ** 60n }) },
    { name: '64-bit length with the top bit set', bytes: text('', { claimedLength: 2n ** 63n + 5n }) },
    { name: 'length beyond the frame limit', bytes: text('x', { claimedLength: 2 ** 30 }) },
    {
      name: side === 'client' ? 'unmasked client frame' : 'masked server frame',
      bytes: encodeFrame({ opcode: Opcode.text, mask: !mask, payload: Buffer.from('{}') }),
    },
    { name: 'reserved opcode 3', bytes: encodeFrame({ opcode: 3, mask, payload: Buffer.from('x') }) },
    {
      name: 'reserved control opcode 11',
      bytes: encodeFrame({ opcode: 11, mask, payload: Buffer.alloc(0) }),
    },
    { name: 'RSV1 without an extension', bytes: text('{}', { rsv: 4 }) },
    {
      name: 'fragmented ping',
      bytes: encodeFrame({ opcode: Opcode.ping, fin: false, mask, payload: Buffer.from('p') }),
    },
    {
      name: 'ping longer than 125 bytes',
      bytes: encodeFrame({ opcode: Opcode.ping, mask, payload: Buffer.alloc(126) }),
    },
    {
      name: 'close code 1005',
      bytes: encodeFrame({ opcode: Opcode.close, mask, payload: closePayload(1005) }),
    },
    {
      name: 'close code 999',
      bytes: encodeFrame({ opcode: Opcode.close, mask, payload: closePayload(999) }),
    },
    {
      name: 'close frame of one byte',
      bytes: encodeFrame({ opcode: Opcode.close, mask, payload: Buffer.from([3]) }),
    },
    {
      name: 'close reason that is not UTF-8',
      bytes: encodeFrame({
        opcode: Opcode.close,
        mask,
        payload: closePayload(1000, Buffer.from([0xc3, 0x28])),
      }),
    },
    { name: 'text that is not UTF-8', bytes: text(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) },
    {
      name: 'continuation with nothing to continue',
      bytes: encodeFrame({ opcode: Opcode.continuation, mask, payload: Buffer.from('x') }),
    },
    {
      name: 'new text frame inside a fragmented one',
      bytes: Buffer.concat([text('{"t":', { fin: false }), text('"ping"}')]),
    },
  ];
}
