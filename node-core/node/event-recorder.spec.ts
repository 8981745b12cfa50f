import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { FailoverEvent } from '../dto.ts';
import type { PeerFrame } from '../peer/index.ts';
import { EventRecorder } from './event-recorder.ts';

function setup(insert: (event: FailoverEvent) => boolean) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    }),
  );
  const sent: PeerFrame[] = [];
  const told: FailoverEvent[] = [];
  const recorder = new EventRecorder({
    events: { insert },
    logger,
    node: 'master',
    nodeId: 'node-a',
    now: () => Date.UTC(2026, 11, 6, 14, 32, 6),
    send: (frame) => sent.push(frame),
    recorded: (event) => told.push(event),
  });
  return { recorder, lines, sent, told };
}

describe('the failover history on a disk that will not take it', () => {
  it('an event the disk refuses is logged as an error, still sent to the peer and shown live, and the node carries on', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const { recorder, lines, sent, told } = setup(() => {
      throw full;
    });

    expect(() =>
      recorder.record('peer-lost', 'active', 'active', 'no heartbeat for 300 ms', null),
    ).not.toThrow();

    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'could not store the peer-lost event: the node runs on without it',
      }),
    ]);
    expect(told.map((e) => [e.kind, e.at, e.reason])).toEqual([
      ['peer-lost', '2026-12-06T14:32:06.000Z', 'no heartbeat for 300 ms'],
    ]);
    expect(sent).toEqual([{ t: 'events', events: told }]);
  });

  it('an event the disk takes is stored once and nothing is logged', () => {
    const stored: FailoverEvent[] = [];
    const { recorder, lines, told } = setup((event) => stored.push(event) > 0);
    recorder.note('settings-mismatch', 'recovery differs');
    expect(stored).toEqual(told);
    expect(lines).toEqual([]);
  });
});
