/**
 * Issue 14 on real nodes: anything on the network may open the master's peer port, and a backup may dial
 * something that only claims to be its master. A malformed frame, a broken handshake or a connection that says
 * nothing ends that one connection: the node keeps running, keeps its pair, and answers its API.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../node-core/trust/index.ts';
import {
  fuzzIdentities,
  fuzzPeerPort,
  formatReport,
  nodeHealth,
  startFuzzNode,
  targetOf,
} from '../fuzz/peer-port-fuzz.ts';
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
} from '../fuzz/raw-peer.ts';
import { formPair, makePair, tempDir, waitFor, type NodeProcess, type Pair } from './harness.ts';

/** The handshake bound of the FAST timing: the ping timeout. */
const BOUND_MS = 300;

let stranger: Identity;
beforeAll(async () => {
  stranger = await loadOrCreateIdentity(tempDir('stranger'), 'stranger');
});

/** A TLS connection to `port` (with `as`'s certificate, or none), upgraded to a WebSocket. */
async function upgraded(port: number, as: tls.SecureContext | null): Promise<tls.TLSSocket> {
  const socket = await connectTls({ port, timeoutMs: 5000, ...(as ? { context: as } : {}) });
  if (!socket) throw new Error('no TLS connection to the peer port');
  socket.on('error', () => undefined);
  socket.resume();
  expect(await upgrade(socket, port, 5000)).not.toBeNull();
  socket.resume();
  return socket;
}

async function expectStillPaired(pair: Pair): Promise<void> {
  for (const node of [pair.master, pair.backup]) expect(node.child?.exitCode, node.output).toBeNull();
  const master = await pair.master.status();
  expect(master?.node.status).toBe('active');
  expect(master?.peer?.link).toBe('connected');
  // Heartbeats still flow: the backup hears from the master after the attack.
  const before = Date.now();
  await pair.backup.waitStatus(
    (s) =>
      s.node.status === 'standby' &&
      s.peer?.link === 'connected' &&
      s.peer.lastHeartbeatAt !== null &&
      Date.parse(s.peer.lastHeartbeatAt) > before,
    'a heartbeat after the attack',
  );
}

describe('the master under hostile connections', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await formPair(await makePair());
  });
  afterAll(() => pair?.stop());

  it('a malformed frame from a client without a certificate, or with a self-made one, closes that connection only', async () => {
    const strangerContext = clientContext(stranger);
    for (const frame of hostileFrames('client')) {
      for (const as of [null, strangerContext]) {
        const socket = await upgraded(pair.peerPort, as);
        socket.write(frame.bytes);
        expect(await closedWithin(socket, 5000), frame.name).toBe(true);
      }
    }
    await expectStillPaired(pair);
  });

  it('connections that never finish TLS, the upgrade or the hello are closed within the handshake bound', async () => {
    const idle: net.Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const tcp = await connectTcp(pair.peerPort, 5000);
      const tlsOnly = await connectTls({ port: pair.peerPort, timeoutMs: 5000 });
      for (const socket of [tcp, tlsOnly]) {
        if (!socket) throw new Error('no connection to the peer port');
        socket.on('error', () => undefined);
        socket.resume();
        idle.push(socket);
      }
      // Upgraded without a certificate: refused, and it never answers the close.
      idle.push(await upgraded(pair.peerPort, null));
    }
    // TLS, then the upgrade and hello (or the closing handshake): each step gets the bound. Before issue 14 these
    // stayed open for minutes (TLS 120 s, HTTP 60 s, a refused WebSocket's close 30 s).
    const closed = await Promise.all(idle.map((socket) => closedWithin(socket, 3 * BOUND_MS + 3000)));
    expect(closed.filter((c) => !c).length).toBe(0);
    await expectStillPaired(pair);
  });

  it('a client that resets its refused /api/live upgrade does not end the node', async () => {
    const { apiPort } = pair.master;
    for (let i = 0; i < 200; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(apiPort, '127.0.0.1', () => {
          socket.write(
            `GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${apiPort}\r\nOrigin: http://elsewhere.example\r\n` +
              'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
              'Sec-WebSocket-Version: 13\r\n\r\n',
          );
          // A reset, not a close: the node's 403 answer then fails to write.
          socket.resetAndDestroy();
          resolve();
        });
        socket.on('error', () => resolve());
      });
    }
    await expectStillPaired(pair);
  });
});

describe('a backup that dials something claiming to be its master', () => {
  let pair: Pair;
  let fake: net.Server;
  afterAll(async () => {
    await pair?.stop();
    await new Promise((resolve) => fake?.close(resolve));
  });

  it('survives its garbage and pairs with the real master afterwards', async () => {
    // The fake master holds the real master's key (the backup trusts it); the first dials get garbage, the
    // rest are relayed to the real master.
    let dials = 0;
    let identity: { key: string; cert: string } | null = null;
    const name = 'line-1';
    const hello = (pairName: string): Buffer =>
      encodeFrame({
        opcode: Opcode.text,
        mask: false,
        payload: Buffer.from(
          JSON.stringify({
            t: 'hello',
            protocol: 1,
            nodeId: 'fake-master',
            name: pairName,
            mode: 'master',
            status: 'active',
            epoch: 1,
            activeSince: null,
            startedAt: new Date().toISOString(),
            version: 'fake',
            apiUrl: '',
            license: { state: 'missing' },
          }),
        ),
      });
    const answers: Buffer[] = [
      ...hostileFrames('server').map((f) => f.bytes),
      hello('Übergabe-äöü-'.repeat(30)), // a pair name too long for a close frame's reason
      hello(name).subarray(0, 7), // half a hello, then nothing
    ];
    let target = 0;
    fake = net.createServer((raw) => {
      raw.on('error', () => undefined);
      const answer = answers[dials++];
      if (answer === undefined || !identity) {
        const upstream = net.connect(target, '127.0.0.1');
        upstream.on('error', () => raw.destroy());
        raw.on('close', () => upstream.destroy());
        raw.pipe(upstream).pipe(raw);
        return;
      }
      const socket = new tls.TLSSocket(raw, {
        isServer: true,
        key: identity.key,
        cert: identity.cert,
        requestCert: true,
        rejectUnauthorized: false,
      });
      socket.on('error', () => undefined);
      void answerUpgrade(socket, 5000).then((ok) => ok && socket.write(answer));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    pair = await makePair([], [], { dialPort: (fake.address() as net.AddressInfo).port, name });
    target = pair.peerPort;
    identity = {
      key: fs.readFileSync(path.join(pair.master.dataDir, 'node-key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(pair.master.dataDir, 'node-cert.pem'), 'utf8'),
    };
    await formPair(pair).catch((error: Error) => {
      throw new Error(`${error.message}; backup output:\n${pair.backup.output.slice(-3000)}`);
    });
    expect(dials).toBeGreaterThan(answers.length);
    expect(pair.backup.child?.exitCode, pair.backup.output).toBeNull();
    await expectStillPaired(pair);
  });
});

describe('peer port fuzzing, a short bounded run', () => {
  let node: NodeProcess;
  afterAll(() => node?.kill('SIGKILL'));

  it('thousands of cases of garbage, bad TLS, bad frames and wrong JSON shapes: no crash', async () => {
    const { trusted, stranger: unknown } = await fuzzIdentities();
    node = await startFuzzNode(trusted, 'fuzz');
    const report = await fuzzPeerPort(targetOf(node, { trusted, stranger: unknown }, 'fuzz'), {
      seed: 14,
      cases: 2000,
      concurrency: 32,
    });
    console.log(formatReport(report));
    expect(
      report.crash,
      report.crash ? `${report.crash.reason}\n${node.output.slice(-4000)}` : '',
    ).toBeNull();
    expect(report.cases).toBe(2000);
    expect(
      await waitFor(
        () => nodeHealth(node, 5000)().then((p) => (p === null ? true : undefined)),
        10_000,
        'node health',
      ),
    ).toBe(true);
  }, 180_000);
});
