/**
 * Item 6 of issue 14: a pair that cannot work says why, on each node, in what an operator reads (GET
 * /api/status, GET /api/events), instead of running two active nodes with "missed heartbeats".
 * docs/redundancy.md "Misconfiguration" says what each case can and cannot tell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FailoverEvent } from '../../node-core/dto.ts';
import type { PeerFrame } from '../../node-core/peer/index.ts';
import { loadOrCreateIdentity } from '../../node-core/trust/index.ts';
import {
  ANY_PORT,
  FAST,
  freePort,
  makePair,
  NodeProcess,
  pingsMissed,
  tempDir,
  waitFor,
  type Pair,
} from './harness.ts';

let pair: Pair | null = null;
const loose: NodeProcess[] = [];
afterEach(async () => {
  await pair?.stop();
  pair = null;
  await Promise.all(loose.splice(0).map((n) => n.kill('SIGKILL')));
});

/** A node on its own: `mode` with the peer port given, dialing `masterPort` when a backup. */
function lone(mode: 'master' | 'backup', peerPort: number, masterPort = peerPort): NodeProcess {
  const args = [
    '--name',
    'line-1',
    '--mode',
    mode,
    '--peer-port',
    String(peerPort),
    '--peer-host',
    '127.0.0.1',
  ];
  if (mode === 'backup') args.push('--master-host', '127.0.0.1', '--master-port', String(masterPort));
  const node = new NodeProcess(tempDir(`misconfig-${mode}`), ANY_PORT, [...args, ...FAST]);
  loose.push(node);
  return node;
}

const ownEvents = async (node: NodeProcess, kind: FailoverEvent['kind']): Promise<FailoverEvent[]> => {
  const nodeId = (await node.status())!.node.nodeId;
  return (await node.events()).filter((e) => e.kind === kind && e.nodeId === nodeId);
};

describe('misconfiguration on real nodes', () => {
  it('misconfiguration: two backups dialing each other each say that the master refuses connections, and why they took over', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = lone('backup', portA, portB);
    const b = lone('backup', portB, portA);
    await Promise.all([a.start(), b.start()]);
    for (const [node, port] of [
      [a, portB],
      [b, portA],
    ] as const) {
      const s = await node.waitStatus((v) => v.node.status === 'active', 'backup active alone');
      expect(s.peer?.link).toBe('connecting');
      expect(s.peer?.linkReason).toBe(
        `master at 127.0.0.1:${port} refuses connections: 127.0.0.1 is this machine and nothing listens on port ` +
          `${port} (a backup does not listen: is --master-host the master's address, and is the master running?)`,
      );
      const change = (await ownEvents(node, 'role-change')).find((e) => e.to === 'active');
      expect(change?.reason).toMatch(
        new RegExp(
          `^missed heartbeats: the master was never reached since this node started \\(master at 127\\.0\\.0\\.1:${port} refuses connections`,
        ),
      );
    }
  });

  it('misconfiguration: a backup dialing its own address and peer port says that nothing listens there', async () => {
    const port = await freePort();
    const node = lone('backup', port);
    await node.start();
    const s = await node.waitStatus(
      (v) => v.peer?.linkReason?.includes('refuses connections') === true,
      'the dial diagnosed',
    );
    expect(s.peer?.linkReason).toContain(`127.0.0.1 is this machine and nothing listens on port ${port}`);
  });

  it('two masters: each says that no backup has connected, and that a master only waits', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = lone('master', portA);
    const b = lone('master', portB);
    await Promise.all([a.start(), b.start()]);
    for (const [node, port] of [
      [a, portA],
      [b, portB],
    ] as const) {
      const s = await node.waitStatus((v) => v.node.status === 'active', 'master active alone');
      expect(s.peer?.linkReason).toBe(
        `no backup has connected to port ${port} since this node started (a backup dials its master; ` +
          'if the other node runs as master too, neither dials)',
      );
    }
  });

  it('misconfiguration: nodes of two pairs show it on both, record it once each, and the backup says why it runs', async () => {
    pair = await makePair([], ['--name', 'line-2']);
    await pair.master.start();
    await pair.backup.start();
    const cause = 'the master is in pair "line-1", the backup in "line-2": both need one --name';
    for (const node of [pair.master, pair.backup]) {
      const s = await node.waitStatus((v) => v.misconfiguration !== null, 'misconfiguration shown');
      expect(s.misconfiguration).toBe(cause);
      expect(s.peer?.link).toBe('faulted');
    }
    const backup = await pair.backup.waitStatus((v) => v.node.status === 'active', 'backup active');
    expect(backup.misconfiguration).toBe(cause);
    // Many re-dials later (the ping rate is 100 ms), still one event per node.
    await pingsMissed(pair.backup, 15);
    for (const node of [pair.master, pair.backup]) {
      expect((await ownEvents(node, 'misconfiguration')).map((e) => e.reason)).toEqual([cause]);
    }
    const change = (await ownEvents(pair.backup, 'role-change')).find((e) => e.to === 'active');
    expect(change?.reason).toBe(
      `missed heartbeats: the master was never reached since this node started (${cause})`,
    );
  });

  it('settings mismatch: different heartbeat timing and recovery are a warning on both nodes, recorded once', async () => {
    pair = await makePair(['--recovery', 'manual'], ['--ping-rate', '150', '--recovery', 'automatic']);
    await pair.master.start();
    await pair.backup.start();
    const master = await pair.master.waitStatus((v) => v.settingsDifferences.length > 0, 'master warns');
    expect(master.settingsDifferences).toEqual([
      'recovery: manual here, automatic on the peer',
      'ping rate: 100 ms here, 150 ms on the peer',
    ]);
    const backup = await pair.backup.waitStatus((v) => v.settingsDifferences.length > 0, 'backup warns');
    expect(backup.settingsDifferences).toEqual([
      'recovery: automatic here, manual on the peer',
      'ping rate: 150 ms here, 100 ms on the peer',
    ]);
    expect(backup.misconfiguration).toBeNull();
    for (const node of [pair.master, pair.backup]) {
      expect(await ownEvents(node, 'settings-mismatch')).toHaveLength(1);
    }
  });

  it('older peer: a node sends a peer of an earlier version only the event kinds it knows, so the new ones never close its link', async () => {
    // A backup of an earlier version, played by hand: its certificate, its hello without `eventKinds`.
    const identity = await loadOrCreateIdentity(tempDir('older-backup'), 'older-backup');
    const peerPort = await freePort();
    const master = lone('master', peerPort);
    master.args.push('--trust-peer', identity.info.fingerprint);
    await master.start();
    const hello = (name: string) => ({
      t: 'hello',
      protocol: 1,
      nodeId: 'older-backup',
      name,
      mode: 'backup',
      status: 'standby',
      epoch: 0,
      activeSince: null,
      startedAt: new Date().toISOString(),
      version: '0.0.9',
      apiUrl: '',
      license: { state: 'missing' },
    });
    /** Connects, says `name`'s hello and collects what the master sends until the connection ends or `ms` pass. */
    const session = (name: string, ms: number): Promise<PeerFrame[]> =>
      new Promise((resolve) => {
        const frames: PeerFrame[] = [];
        const socket = new WebSocket(`wss://127.0.0.1:${peerPort}/peer`, {
          key: identity.keyPem,
          cert: identity.certPem,
          rejectUnauthorized: false,
        });
        socket.on('open', () => socket.send(JSON.stringify(hello(name))));
        socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as PeerFrame));
        socket.on('error', () => undefined);
        const done = (): void => {
          socket.terminate();
          resolve(frames);
        };
        socket.on('close', done);
        setTimeout(done, ms);
      });

    await session('another-pair', 2000); // refused: the master records a misconfiguration
    await waitFor(
      async () => ((await ownEvents(master, 'misconfiguration')).length === 1 ? true : undefined),
      10_000,
      'misconfiguration recorded',
    );
    const frames = await session('line-1', 2000); // the right pair: linked
    const sent = frames.flatMap((f) => (f.t === 'events' ? f.events : []));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((e) => e.kind)).not.toContain('misconfiguration');
  });
});
