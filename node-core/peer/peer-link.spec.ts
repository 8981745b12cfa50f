import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  answerUpgrade,
  clientContext,
  closedWithin,
  connectTcp,
  connectTls,
  encodeFrame,
  hostileFrames,
  Opcode,
  upgrade,
} from '../../test/fuzz/raw-peer.ts';
import { ManualClock, systemClock } from '../clock/index.ts';
import { pino } from 'pino';
import { silentLogger } from '../logging.ts';
import { loadOrCreateIdentity, type Identity } from '../trust/index.ts';
import { CloseCode, MAX_FRAME_BYTES, type Hello } from './frames.ts';
import { closeReason, PeerLink, type PeerLinkOptions } from './peer-link.ts';

const hello = (mode: 'master' | 'backup'): Hello => ({
  t: 'hello',
  protocol: 1,
  nodeId: `${mode}-id`,
  name: 'pair',
  mode,
  status: 'standby',
  epoch: 0,
  activeSince: null,
  startedAt: new Date().toISOString(),
  version: 'test',
  apiUrl: '',
  license: { state: 'missing' },
});

async function identity(): Promise<Identity> {
  return loadOrCreateIdentity(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-link-')), 'link test');
}

let listener: PeerLink | null = null;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await listener?.close();
  listener = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function masterTrusting(
  peer: Identity,
  options: Partial<PeerLinkOptions> = {},
): Promise<{ link: PeerLink; states: string[]; port: number }> {
  const own = await identity();
  const states: string[] = [];
  const link = new PeerLink({
    role: 'listen',
    listenHost: '127.0.0.1',
    listenPort: 0,
    masterHost: null,
    masterPort: 0,
    keyPem: own.keyPem,
    certPem: own.certPem,
    redialMs: 100,
    handshakeTimeoutMs: 2000,
    trust: (info) => (info.fingerprint === peer.info.fingerprint ? 'trusted' : 'pending'),
    hello: () => hello('master'),
    checkHello: () => null,
    clock: systemClock,
    logger: silentLogger,
    ...options,
  });
  link.on('state', (state, reason) => states.push(`${state}: ${reason ?? ''}`));
  await link.start();
  listener = link;
  return { link, states, port: link.port! };
}

/** A trusted backup that speaks raw WebSocket, so it can misbehave after the handshake. */
async function rawBackup(peer: Identity, port: number): Promise<WebSocket> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/peer`, {
    key: peer.keyPem,
    cert: peer.certPem,
    rejectUnauthorized: false,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify(hello('backup')));
  return ws;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('peer link frames', () => {
  it('a frame that fails its schema closes the link with a logged reason', async () => {
    const backup = await identity();
    const { link, states, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send(JSON.stringify({ t: 'state', status: 'flying', epoch: 1, activeSince: null }));
    const { code, reason } = await closing;
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toContain('status');
    expect(states.at(-1)).toContain('bad frame');
    expect(link.isUp).toBe(false);
  });

  it('a trusted peer that says no hello in time is cut, logged as slow, not as a bad frame', async () => {
    const backup = await identity();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const { port } = await masterTrusting(backup, { handshakeTimeoutMs: 300, logger });
    const ws = new WebSocket(`wss://127.0.0.1:${port}/peer`, {
      key: backup.keyPem,
      cert: backup.certPem,
      rejectUnauthorized: false,
    });
    const { code, reason } = await closed(ws);
    expect(code).toBe(CloseCode.badFrame);
    expect(reason).toBe('no hello within the handshake timeout');
    expect(lines.join('')).toContain('peer link closed: no hello in time');
    expect(lines.join('')).not.toContain('bad frame');
  });

  it('a frame that is not JSON closes the link', async () => {
    const backup = await identity();
    const { link, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send('{not json');
    expect((await closing).reason).toBe('frame is not JSON');
  });

  it('an oversized frame closes the link (1009) and the node keeps listening', async () => {
    const backup = await identity();
    const { link, port } = await masterTrusting(backup);
    const ws = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    const closing = closed(ws);
    ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await closing).code).toBe(1009);
    const again = await rawBackup(backup, port);
    await new Promise<void>((resolve) => link.once('up', () => resolve()));
    expect(link.isUp).toBe(true);
    again.close();
  });

  it('a frame before the hello is refused', async () => {
    const backup = await identity();
    const { port } = await masterTrusting(backup);
    const ws = new WebSocket(`wss://127.0.0.1:${port}/peer`, {
      key: backup.keyPem,
      cert: backup.certPem,
      rejectUnauthorized: false,
    });
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const closing = closed(ws);
    ws.send(JSON.stringify({ t: 'ping', seq: 1 }));
    expect((await closing).reason).toBe('expected hello, got ping');
  });
});

/** Opens a TLS connection (with `as`'s certificate, or none), upgrades it, and sends `bytes`. */
async function attack(
  port: number,
  bytes: Buffer,
  as: tls.SecureContext | null = null,
): Promise<tls.TLSSocket> {
  const socket = await connectTls({ port, timeoutMs: 5000, ...(as ? { context: as } : {}) });
  if (!socket) throw new Error('no TLS connection');
  socket.on('error', () => undefined);
  expect(await upgrade(socket, port, 5000)).not.toBeNull();
  socket.write(bytes);
  return socket;
}

function upOnce(link: PeerLink): Promise<void> {
  return new Promise((resolve) => link.once('up', () => resolve()));
}

describe('peer port under hostile connections (issue 14)', () => {
  let backup: Identity;
  let stranger: Identity;
  beforeAll(async () => {
    [backup, stranger] = await Promise.all([identity(), identity()]);
  });

  it('a malformed frame from a client without a certificate, or with a self-made one, ends that connection only', async () => {
    const { link, port } = await masterTrusting(backup);
    const strangerContext = clientContext(stranger);
    for (const frame of hostileFrames('client')) {
      for (const as of [null, strangerContext]) {
        const socket = await attack(port, frame.bytes, as);
        expect(await closedWithin(socket, 5000), frame.name).toBe(true);
      }
    }
    // Still listening, and the real backup links as ever.
    const up = upOnce(link);
    const ws = await rawBackup(backup, port);
    await up;
    expect(link.isUp).toBe(true);
    ws.close();
  });

  it('a malformed frame from the linked backup ends the link, which forms again', async () => {
    const { link, port } = await masterTrusting(backup);
    const trusted = clientContext(backup);
    for (const frame of hostileFrames('client').slice(0, 6)) {
      const socket = await connectTls({ port, context: trusted, timeoutMs: 5000 });
      socket!.on('error', () => undefined);
      expect(await upgrade(socket!, port, 5000)).not.toBeNull();
      const up = upOnce(link);
      socket!.write(
        encodeFrame({
          opcode: Opcode.text,
          mask: true,
          payload: Buffer.from(JSON.stringify(hello('backup'))),
        }),
      );
      await up;
      socket!.write(frame.bytes);
      expect(await closedWithin(socket!, 5000), frame.name).toBe(true);
      await waitUntil(() => !link.isUp);
    }
    const up = upOnce(link);
    const ws = await rawBackup(backup, port);
    await up;
    ws.close();
  });

  it('a stranger refused while the backup is linked leaves the link as it is', async () => {
    const { link, states, port } = await masterTrusting(backup, { handshakeTimeoutMs: 300 });
    const up = upOnce(link);
    const ws = await rawBackup(backup, port);
    await up;
    let unverified = 0;
    link.on('unverified', () => unverified++);
    const seen = states.length;
    for (const as of [clientContext(stranger), null]) {
      const socket = await attack(port, Buffer.alloc(0), as);
      expect(await closedWithin(socket, 5000)).toBe(true);
    }
    expect(states.slice(seen)).toEqual([]);
    expect(link.state).toBe('connected');
    expect(unverified).toBe(0);
    ws.close();
  });

  it('connections that do not finish TLS, the upgrade or the hello are cut within the handshake bound', async () => {
    const bound = 200;
    const { link, port } = await masterTrusting(backup, { handshakeTimeoutMs: bound });
    const idle: net.Socket[] = [];
    for (let i = 0; i < 5; i++) {
      idle.push((await connectTcp(port, 5000))!); // no TLS
      idle.push((await connectTls({ port, timeoutMs: 5000 }))!); // TLS, no upgrade
      idle.push(await attack(port, Buffer.alloc(0))); // refused (no certificate); never answers the close
      idle.push(await attack(port, Buffer.alloc(0), clientContext(backup))); // trusted, never says hello
    }
    for (const socket of idle) socket.on('error', () => undefined);
    // Each step has the bound: TLS, then upgrade and hello (or the closing handshake).
    const closed = await Promise.all(idle.map((socket) => closedWithin(socket, 4 * bound + 2000)));
    expect(closed.every(Boolean)).toBe(true);
    await waitUntil(() => link.resources.transports === 0 && link.resources.webSockets === 0);
    expect(link.resources).toEqual({ transports: 0, webSockets: 0, timers: 0 });
  });

  it('a peer text longer than a close frame carries faults the link without ending the process', async () => {
    const name = 'Übergabe-Linie-äöü-'.repeat(20);
    const { link, port } = await masterTrusting(backup, {
      checkHello: () => `the master is in pair "${name}", the backup in "pair": both need one --name`,
    });
    const ws = await rawBackup(backup, port);
    const { code, reason } = await closed(ws);
    expect(code).toBe(CloseCode.faulted);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(link.state).toBe('faulted');
    expect(link.reason!.length).toBeLessThan(name.length);
  });

  it('a close reason is cut at 123 bytes on a character boundary', () => {
    expect(closeReason('short')).toBe('short');
    expect(Buffer.byteLength(closeReason('ü'.repeat(100)))).toBe(122);
    const emoji = closeReason('a' + '😀'.repeat(40));
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(123);
    expect(emoji).toBe('a' + '😀'.repeat(30));
  });

  it('a backup that dials a fake master survives its garbage and links with the real master afterwards', async () => {
    const masterIdentity = await identity();
    const master = new PeerLink({
      role: 'listen',
      listenHost: '127.0.0.1',
      listenPort: 0,
      masterHost: null,
      masterPort: 0,
      keyPem: masterIdentity.keyPem,
      certPem: masterIdentity.certPem,
      redialMs: 20,
      handshakeTimeoutMs: 300,
      trust: () => 'trusted',
      hello: () => hello('master'),
      checkHello: () => null,
      clock: systemClock,
      logger: silentLogger,
    });
    await master.start();
    cleanups.push(() => master.close());
    const masterHello = (name: string): Buffer =>
      encodeFrame({
        opcode: Opcode.text,
        mask: false,
        payload: Buffer.from(JSON.stringify({ ...hello('master'), name })),
      });
    // What the fake master answers, one dial after the other; then it relays to the real master.
    const answers: (Buffer | null)[] = [
      ...hostileFrames('server').map((f) => f.bytes),
      Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), // not an upgrade (sent instead of the 101)
      masterHello('ä'.repeat(300)), // a pair name too long for the close reason
      masterHello('pair').subarray(0, 5), // half a frame, then nothing: the hello bound
      null, // upgraded, then silent
    ];
    let dials = 0;
    const fake = tls.createServer({ key: masterIdentity.keyPem, cert: masterIdentity.certPem }, (socket) => {
      socket.on('error', () => undefined);
      const answer = answers[dials++];
      if (answer === undefined) {
        const relay = net.connect(master.port!, '127.0.0.1');
        relay.on('error', () => socket.destroy());
        socket.on('close', () => relay.destroy());
        // The fake master terminates TLS, so the relay speaks TLS to the master on the backup's behalf.
        const upstream = tls.connect({
          socket: relay,
          rejectUnauthorized: false,
          key: backup.keyPem,
          cert: backup.certPem,
        });
        upstream.on('error', () => socket.destroy());
        socket.pipe(upstream).pipe(socket);
        return;
      }
      if (answer !== null && answer.subarray(0, 5).toString() === 'HTTP/') {
        socket.once('data', () => socket.end(answer));
        return;
      }
      void answerUpgrade(socket, 5000).then((ok) => ok && socket.write(answer ?? Buffer.alloc(0)));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => fake.close(resolve)));
    const dialer = new PeerLink({
      role: 'dial',
      listenHost: '127.0.0.1',
      listenPort: 0,
      masterHost: '127.0.0.1',
      masterPort: (fake.address() as net.AddressInfo).port,
      keyPem: backup.keyPem,
      certPem: backup.certPem,
      redialMs: 20,
      handshakeTimeoutMs: 300,
      trust: () => 'trusted',
      hello: () => hello('backup'),
      checkHello: (h) =>
        h.name === 'pair' ? null : `the master is in pair "${h.name}", the backup in "pair"`,
      clock: systemClock,
      logger: silentLogger,
    });
    cleanups.push(() => dialer.close());
    const up = upOnce(dialer);
    await dialer.start();
    await up;
    expect(dials).toBeGreaterThan(answers.length);
    await waitUntil(() => master.isUp);
  });
});

/** A listening master and a dialling backup that trust each other; the backup is made once the port is known. */
function trustingLinks(
  redialMs: number,
  masterId: Identity,
  backupId: Identity,
): { master: PeerLink; backupFor: (port: number) => PeerLink } {
  const common = {
    listenHost: '127.0.0.1',
    listenPort: 0,
    masterHost: '127.0.0.1',
    redialMs,
    handshakeTimeoutMs: 2000,
    trust: () => 'trusted' as const,
    checkHello: () => null,
    clock: systemClock,
    logger: silentLogger,
  };
  const link = (
    role: 'listen' | 'dial',
    masterPort: number,
    id: Identity,
    mode: 'master' | 'backup',
  ): PeerLink =>
    new PeerLink({
      ...common,
      role,
      masterPort,
      keyPem: id.keyPem,
      certPem: id.certPem,
      hello: () => hello(mode),
    });
  return {
    master: link('listen', 0, masterId, 'master'),
    backupFor: (port) => link('dial', port, backupId, 'backup'),
  };
}

describe('peer link cycles (issue 14, item 9)', () => {
  it('hundreds of drops and re-dials leave no connection, timer or listener behind', async () => {
    const [masterId, backupId] = await Promise.all([identity(), identity()]);
    const { master, backupFor } = trustingLinks(1, masterId, backupId);
    await master.start();
    listener = master;
    const backupLink = backupFor(master.port!);
    cleanups.push(() => backupLink.close());
    const listeners = (link: PeerLink): number[] => link.eventNames().map((e) => link.listenerCount(e));
    await backupLink.start();
    await waitUntil(() => master.isUp && backupLink.isUp);
    const before = [listeners(master), listeners(backupLink)];
    for (let cycle = 0; cycle < 200; cycle++) {
      (cycle % 2 === 0 ? master : backupLink).drop('cycle');
      await waitUntil(() => !master.isUp || !backupLink.isUp);
      await waitUntil(() => master.isUp && backupLink.isUp);
      // The dropped connection may still be closing: at most it and the new one.
      expect(master.resources.transports).toBeLessThanOrEqual(2);
      expect(master.resources.webSockets).toBeLessThanOrEqual(2);
      expect(backupLink.resources.webSockets).toBeLessThanOrEqual(2);
      expect(master.resources.timers + backupLink.resources.timers).toBeLessThanOrEqual(6);
    }
    await waitUntil(() => master.resources.webSockets === 1 && backupLink.resources.webSockets === 1);
    expect(master.resources.transports).toBe(1);
    expect([listeners(master), listeners(backupLink)]).toEqual(before);
    await backupLink.close();
    await master.close();
    expect(master.resources).toEqual({ transports: 0, webSockets: 0, timers: 0 });
    expect(backupLink.resources).toEqual({ transports: 0, webSockets: 0, timers: 0 });
  }, 60_000);
});

describe('peer link re-dial (issue 19 item 8)', () => {
  /** A master port that takes each TCP connection and drops it: the backup dials again after its pause. */
  async function droppingMaster(): Promise<{ port: number; dials: () => number; close: () => void }> {
    let dials = 0;
    const server = net.createServer((socket) => {
      dials++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      dials: () => dials,
      close: () => server.close(),
    };
  }

  async function dialsAfter(random: number, advanceMs: number): Promise<number> {
    const fake = await droppingMaster();
    cleanups.push(fake.close);
    const clock = new ManualClock(0);
    const backup = await identity();
    const dialer = new PeerLink({
      role: 'dial',
      listenHost: '127.0.0.1',
      listenPort: 0,
      masterHost: '127.0.0.1',
      masterPort: fake.port,
      keyPem: backup.keyPem,
      certPem: backup.certPem,
      redialMs: 100,
      random: () => random,
      handshakeTimeoutMs: 5000,
      trust: () => 'trusted',
      hello: () => hello('backup'),
      checkHello: () => null,
      clock,
      logger: silentLogger,
    });
    cleanups.push(() => dialer.close());
    await dialer.start();
    await waitUntil(() => fake.dials() === 1 && dialer.resources.timers === 1);
    clock.advance(advanceMs);
    // A dial the clock released reaches the fake master at once; one it holds back never does.
    await waitUntil(() => fake.dials() > 1, 1000).catch(() => undefined);
    return fake.dials();
  }

  it('the backup dials its master again after the re-dial pause spread by ±25 %, so backups cut off together do not dial in step', async () => {
    expect(await dialsAfter(0, 74)).toBe(1);
    expect(await dialsAfter(0, 75)).toBe(2);
    expect(await dialsAfter(0.999, 124)).toBe(1);
    expect(await dialsAfter(0.999, 125)).toBe(2);
  });
});

describe('peer link lifecycle', () => {
  it('start twice listens on one port and links once; close twice settles both, frees the port and holds nothing', async () => {
    const [masterId, backupId] = await Promise.all([identity(), identity()]);
    const { master, backupFor } = trustingLinks(50, masterId, backupId);
    listener = master;
    await master.start();
    const port = master.port;
    await master.start();
    expect(master.port).toBe(port);

    const backupLink = backupFor(port!);
    cleanups.push(() => backupLink.close());
    let ups = 0;
    master.on('up', () => ups++);
    await Promise.all([backupLink.start(), backupLink.start()]);
    await waitUntil(() => master.isUp && backupLink.isUp);
    expect(master.resources.transports).toBe(1);
    expect(ups).toBe(1);

    await Promise.all([backupLink.close(), backupLink.close()]);
    await Promise.all([master.close(), master.close()]);
    await master.close();
    expect(master.resources).toEqual({ transports: 0, webSockets: 0, timers: 0 });
    expect(backupLink.resources).toEqual({ transports: 0, webSockets: 0, timers: 0 });
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port!, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    // A start after close listens on nothing.
    await master.start();
    expect(master.port).toBeNull();
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
