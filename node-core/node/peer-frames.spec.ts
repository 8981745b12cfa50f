import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import type { FailoverEvent } from '../dto.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import type { Hello, PeerFrame } from '../peer/index.ts';
import type { MachineEvent } from '../redundancy/index.ts';
import { silentLogger } from '../logging.ts';
import { EventStore } from '../store/index.ts';
import { PeerFrameRouter } from './peer-frames.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function hello(nodeId: string): Hello {
  return {
    t: 'hello',
    protocol: 1,
    nodeId,
    name: 'line-1',
    mode: 'backup',
    status: 'standby',
    epoch: 1,
    activeSince: null,
    startedAt: '2026-12-04T10:00:00.000Z',
    version: 'test',
    apiUrl: '',
    license: { state: 'missing' },
    standby: 'warm',
  };
}

const certificate = {
  fingerprint: 'a'.repeat(64),
  subject: 'CN=backup',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2036-01-01T00:00:00.000Z',
};

function event(reason: string): FailoverEvent {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    kind: 'peer-lost',
    node: 'master',
    nodeId: 'master-id',
    from: null,
    to: null,
    reason,
    durationMs: null,
  };
}

/** A router over a real event store, with everything else recorded or ignored. */
function router(options: { failOn?: PeerFrame['t'] } = {}) {
  const { db, dispose } = tempDatabase();
  disposers.push(dispose);
  const events = new EventStore(db);
  const sent: PeerFrame[] = [];
  const dispatched: MachineEvent[] = [];
  const toData: PeerFrame['t'][] = [];
  const toWorkload: PeerFrame['t'][] = [];
  const toSessions: PeerFrame['t'][] = [];
  /** What the router called, in order, on the driver, the data service, the workload and the node. */
  const calls: string[] = [];
  /** The machine's state as the router reads it: this node's status and what it knows of the peer's. */
  const machine = { status: 'standby', peer: { status: null as string | null } };
  const r = new PeerFrameRouter({
    driver: {
      state: machine as never,
      dispatch: (e) => {
        dispatched.push(e);
        calls.push(`driver ${e.type}`);
        if (e.type === 'peer-state') machine.peer.status = e.peer.status;
      },
    },
    data: {
      onLinkUp: () => calls.push('data link-up'),
      onLinkDown: () => calls.push('data link-down'),
      sendConfigHead: () => calls.push('data send-config-head'),
      answerPull: () => calls.push('data answer-pull'),
      onFrame: (frame) => {
        if (frame.t === options.failOn) throw new Error('the database refused the write');
        toData.push(frame.t);
      },
    },
    workload: {
      linkUp: () => calls.push('workload link-up'),
      linkDown: () => calls.push('workload link-down'),
      onFrame: (frame) => toWorkload.push(frame.t),
    },
    partnerSessions: {
      linkDown: () => calls.push('partner sessions link-down'),
      onFrame: (frame) => toSessions.push(frame.t),
    },
    events,
    license: { state: 'missing' },
    metrics: { heartbeatRtt: () => undefined },
    clock: new ManualClock(1_000_000),
    send: (frame) => sent.push(frame),
    record: () => undefined,
    eventReceived: (e) => calls.push(`event received ${e.reason}`),
    clockOffset: () => undefined,
  });
  const historySent = (): string[] =>
    sent.flatMap((f) => (f.t === 'events' ? f.events.map((e) => e.reason) : []));
  return { r, events, sent, dispatched, toData, toWorkload, toSessions, historySent, calls, machine };
}

describe('PeerFrameRouter', () => {
  it('link-up tells the driver first, then sends the history', () => {
    const { r, events, dispatched, historySent } = router();
    events.insert(event('first'));
    r.linkUp(hello('backup-id'), certificate);
    expect(dispatched[0]).toMatchObject({ type: 'link-up', peer: { status: 'standby', epoch: 1 } });
    expect(historySent()).toEqual(['first']);
  });

  it('the same peer linking again gets only what was stored since the last link came up (the history at every re-dial held memory up while a link flapped)', () => {
    const { r, events, sent, historySent } = router();
    for (let i = 0; i < 50; i++) events.insert(event(`old ${i}`));
    r.linkUp(hello('backup-id'), certificate);
    expect(historySent()).toHaveLength(50);
    events.insert(event('during the first link'));
    r.linkDown();
    events.insert(event('while cut off'));
    sent.length = 0;
    r.linkUp(hello('backup-id'), certificate);
    expect(historySent().sort()).toEqual(['during the first link', 'while cut off']);
  });

  it('another peer (a node installed again) gets the whole history', () => {
    const { r, events, sent, historySent } = router();
    for (let i = 0; i < 5; i++) events.insert(event(`old ${i}`));
    r.linkUp(hello('backup-id'), certificate);
    r.linkDown();
    sent.length = 0;
    r.linkUp(hello('new-backup-id'), certificate);
    expect(historySent()).toHaveLength(5);
  });

  it('answers a ping with a pong and times the pong of its own ping', () => {
    const { r, sent, dispatched } = router();
    r.linkUp(hello('backup-id'), certificate);
    r.route({ t: 'ping', seq: 7 });
    expect(sent.at(-1)).toMatchObject({ t: 'pong', seq: 7 });
    r.sending({ t: 'ping', seq: 1 });
    r.route({ t: 'pong', seq: 1 });
    expect(dispatched.at(-1)).toEqual({ type: 'pong', seq: 1 });
    expect(r.peer?.rttMs).toBe(0);
  });

  it('hands each frame to the part of the node that owns it: config and runtime data to the data service, history to the workload, sessions to the partner sessions, hand-over and sync to the driver', () => {
    const { r, sent, dispatched, toData, toWorkload, toSessions } = router();
    const head = { seq: 0, checksum: '0'.repeat(64) };
    const dataFrames: PeerFrame[] = [
      { t: 'config-head', head },
      { t: 'config-changes', changes: [] },
      { t: 'config-snapshot', head, items: [] },
      { t: 'config-ack', seq: 0 },
      { t: 'config-conflicts', changes: [] },
      { t: 'config-conflict-resolved', id: 'c-1' },
      { t: 'runtime', values: [], ledger: [], alarms: [], ackId: null },
      { t: 'runtime-ack', ackId: 'a-1' },
    ];
    const historyFrames: PeerFrame[] = [
      { t: 'history-request', id: 'h-1', after: {} },
      { t: 'history-samples', id: 'h-1', samples: [], more: false },
    ];
    const driverFrames: PeerFrame[] = [
      { t: 'handover-request', reason: 'operator request' },
      { t: 'handover-ack' },
      { t: 'handover-offer' },
      { t: 'goodbye' },
      { t: 'sync-done' },
    ];
    const sessionFrames: PeerFrame[] = [
      { t: 'session-request', id: 's-1', account: null },
      { t: 'session-grant', id: 's-1', token: 't', user: 'admin token', expiresAt: 1 },
      { t: 'session-refused', id: 's-2', reason: 'no account "ops" on this node yet' },
    ];
    for (const frame of [...dataFrames, ...historyFrames, ...sessionFrames, ...driverFrames]) r.route(frame);
    expect(toData).toEqual(dataFrames.map((f) => f.t));
    expect(toWorkload).toEqual(historyFrames.map((f) => f.t));
    expect(toSessions).toEqual(sessionFrames.map((f) => f.t));
    expect(dispatched.map((e) => e.type)).toEqual([
      'handover-request',
      'handover-ack',
      'handover-offer',
      'goodbye',
      'sync-complete',
    ]);
    expect(sent).toEqual([]);
  });

  it('a hello on a link that is up changes nothing (the link checked the first one)', () => {
    const { r, sent, dispatched, toData, toWorkload } = router();
    r.route(hello('backup-id'));
    expect({ sent, dispatched, toData, toWorkload }).toEqual({
      sent: [],
      dispatched: [],
      toData: [],
      toWorkload: [],
    });
  });
  it('link-down tells the data service and the workload, then the driver', () => {
    const { r, calls } = router();
    r.linkUp(hello('backup-id'), certificate);
    calls.length = 0;
    r.linkDown();
    expect(calls).toEqual([
      'data link-down',
      'workload link-down',
      'partner sessions link-down',
      'driver link-down',
    ]);
  });

  it('events from the peer: only those this node lacks are stored and told', () => {
    const { r, events, calls } = router();
    const known = event('known here');
    events.insert(known);
    r.route({ t: 'events', events: [known, event('new from the peer')] });
    expect(calls).toEqual(['event received new from the peer']);
    expect(
      events
        .list(10)
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['known here', 'new from the peer']);
  });

  it('a sync request is answered with the data the peer may lack, the whole history, then sync-done', () => {
    const { r, events, sent, calls } = router();
    events.insert(event('one'));
    r.route({ t: 'sync-request', configHead: { seq: 0, checksum: '0'.repeat(64) } });
    expect(calls).toEqual(['data answer-pull']);
    expect(sent.map((f) => f.t)).toEqual(['events', 'sync-done']);
  });

  it('a peer that becomes active is followed from this node’s config head, once', () => {
    const { r, calls } = router();
    const state = { t: 'state', status: 'active', epoch: 2, activeSince: 1 } as const;
    r.route(state);
    r.route(state);
    expect(calls).toEqual(['driver peer-state', 'data send-config-head', 'driver peer-state']);
  });

  it('a frame its owner cannot take ends the link, not the process: logged, and the link dropped with the reason', () => {
    const { r } = router({ failOn: 'runtime-ack' });
    const drops: string[] = [];
    const logged = vi.spyOn(silentLogger, 'error');
    disposers.push(() => logged.mockRestore());
    r.routeOrDrop({ t: 'runtime-ack', ackId: 'a-1' }, { drop: (reason) => drops.push(reason) }, silentLogger);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ frame: 'runtime-ack' }),
      'peer frame runtime-ack could not be handled',
    );
    expect(drops).toEqual(['a runtime-ack frame could not be handled: the database refused the write']);
  });
});
