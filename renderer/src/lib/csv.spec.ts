import { describe, expect, it } from 'vitest';
import type { HistoryView } from '../../../node-core/dto.ts';
import { failoverEvent } from '../test/fixtures.ts';
import { csvFilename, csvText, eventsCsv, historyCsv } from './csv.ts';
import { formatTime } from './format.ts';

const range = { tag: 'boiler.temp', from: '2025-06-01T02:00:00.000Z', to: '2025-06-01T03:00:00.000Z' };

describe('csv', () => {
  it('quotes what needs quoting and defuses what a spreadsheet would run as a formula', () => {
    expect(csvText([['a', 'b, c', 'say "hi"', null, 12.5, '=SUM(A1)', '-x']])).toBe(
      'a,"b, c","say ""hi""",,12.5,\'=SUM(A1),\'-x\r\n',
    );
  });

  it('writes the failover history in the words of the screen, the time zone once in the header', () => {
    const text = eventsCsv(
      [
        failoverEvent({
          at: '2025-06-01T02:00:00Z',
          kind: 'role-change',
          node: 'backup',
          from: 'standby',
          to: 'active',
          durationMs: 3_100,
        }),
        failoverEvent({
          at: '2025-06-01T01:00:00Z',
          kind: 'peer-lost',
          from: null,
          to: null,
          reason: 'missed, 3',
          durationMs: null,
        }),
      ],
      'Europe/Berlin',
    );
    expect(text.split('\r\n')).toEqual([
      'Time (Europe/Berlin),Kind,Node,Node ID,From,To,Reason,Duration,Duration (ms)',
      `${formatTime('2025-06-01T02:00:00Z')},Role change,Backup,node-aaaa,Standby,Running,missed heartbeats,no active node 3.1 s,3100`,
      `${formatTime('2025-06-01T01:00:00Z')},Peer lost,Master,node-aaaa,,,"missed, 3",,`,
      '',
    ]);
  });

  it("writes a tag's samples with its precision and its unit in the header", () => {
    const view: HistoryView = {
      ...range,
      kind: 'raw',
      samples: [
        { ts: '2025-06-01T02:00:00.000Z', value: 95.254, quality: 'good' },
        { ts: '2025-06-01T02:00:01.000Z', value: null, quality: 'bad' },
      ],
    };
    expect(historyCsv(view, { unit: '°C', precision: 1 }, 'UTC').split('\r\n')).toEqual([
      'Time (UTC),Value (°C),Quality',
      `${formatTime('2025-06-01T02:00:00.000Z')},95.3,Good`,
      `${formatTime('2025-06-01T02:00:01.000Z')},,Bad`,
      '',
    ]);
  });

  it('writes buckets with average, minimum, maximum and last, each in the unit', () => {
    const view: HistoryView = {
      ...range,
      kind: 'buckets',
      bucketMs: 60_000,
      buckets: [
        {
          from: '2025-06-01T02:00:00.000Z',
          to: '2025-06-01T02:01:00.000Z',
          count: 60,
          min: 1,
          max: 3.456,
          avg: 2,
          last: { ts: '2025-06-01T02:00:59.000Z', value: 2.5, quality: 'good' },
          notGood: 0,
        },
      ],
    };
    const [head, row] = historyCsv(view, { unit: 'bar', precision: 2 }, 'UTC').split('\r\n');
    expect(head).toBe('From (UTC),To (UTC),Average (bar),Minimum (bar),Maximum (bar),Last (bar),Samples');
    expect(row).toBe(
      `${formatTime('2025-06-01T02:00:00.000Z')},${formatTime('2025-06-01T02:01:00.000Z')},2.00,1.00,3.46,2.50,60`,
    );
  });

  it('names a file after the node or tag, without characters a file system refuses', () => {
    expect(csvFilename('tandem', 'line1/pump.speed', 'history')).toBe('tandem-line1_pump.speed-history.csv');
  });
});
