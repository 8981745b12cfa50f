import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { parseMonitorConfig } from './config.ts';

const node = (url: string, extra: object = {}): object => ({ url, token: 'secret-token', ...extra });
const parse = (json: unknown): ReturnType<typeof parseMonitorConfig> =>
  parseMonitorConfig(JSON.stringify(json), '/etc/tandem/fleet.json');

describe('monitor config', () => {
  it('accepts the shape of the issue, and more fields', () => {
    const pairs = parse({
      comment: 'line 1 and 2',
      pairs: [
        { name: 'line-1', nodes: [node('http://10.0.0.11:8088/'), node('http://10.0.0.12:8088')], extra: 1 },
        {
          name: 'line-2',
          site: 'North',
          nodes: [
            node('https://10.0.0.21:8088', { fingerprint: 'AB:'.repeat(31) + 'AB' }),
            node('https://10.0.0.22:8088'),
          ],
        },
      ],
    });
    expect(pairs[0]).toEqual({
      key: 'line-1',
      name: 'line-1',
      site: null,
      problem: null,
      nodes: [
        { url: 'http://10.0.0.11:8088', token: 'secret-token', tokenFile: null, fingerprint: null },
        { url: 'http://10.0.0.12:8088', token: 'secret-token', tokenFile: null, fingerprint: null },
      ],
    });
    expect(pairs[1]!.site).toBe('North');
    expect(pairs[1]!.nodes[0].fingerprint).toBe('ab'.repeat(32));
  });

  it.each([
    ['not JSON', '{pairs', /not JSON/],
    ['no pairs', '{}', /the file|pairs: must be a list of pairs/],
    [
      'one node only',
      JSON.stringify({ pairs: [{ name: 'a', nodes: [node('http://a:1')] }] }),
      /pairs\.0\.nodes/,
    ],
    [
      'an empty name',
      JSON.stringify({ pairs: [{ name: ' ', nodes: [node('http://a:1'), node('http://b:1')] }] }),
      /pairs\.0\.name: must not be empty/,
    ],
    [
      'no token',
      JSON.stringify({ pairs: [{ name: 'a', nodes: [{ url: 'http://a:1' }, node('http://b:1')] }] }),
      /pairs\.0\.nodes\.0: needs either "token" or "tokenFile"/,
    ],
    [
      'a bad fingerprint',
      JSON.stringify({
        pairs: [{ name: 'a', nodes: [node('https://a:1', { fingerprint: 'abc' }), node('http://b:1')] }],
      }),
      /pairs\.0\.nodes\.0\.fingerprint: must be a SHA-256 fingerprint/,
    ],
  ])('a malformed file (%s) is a usage error naming the field', (_what, text, message) => {
    expect(() => parseMonitorConfig(text, 'fleet.json')).toThrow(UsageError);
    expect(() => parseMonitorConfig(text, 'fleet.json')).toThrow(message);
  });

  it("a duplicate pair name is that entry's problem, not the file's: the first one is watched", () => {
    const pairs = parse({
      pairs: [
        { name: 'line-1', nodes: [node('http://a:1'), node('http://b:1')] },
        { name: 'line-1', nodes: [node('http://c:1'), node('http://d:1')] },
      ],
    });
    expect(pairs.map((p) => [p.key, p.problem])).toEqual([
      ['line-1', null],
      ['line-1#2', 'pair name "line-1" is used by an earlier pair in fleet.json: this entry is not watched'],
    ]);
  });

  it('resolves token files next to the config (read at each connection attempt, not now)', () => {
    const pairs = parseMonitorConfig(
      JSON.stringify({
        pairs: [
          {
            name: 'a',
            nodes: [{ url: 'http://a:1', tokenFile: '../master/admin-token' }, node('http://b:1')],
          },
        ],
      }),
      '/etc/tandem/fleet/fleet.json',
    );
    expect(pairs[0]!.nodes[0]).toEqual({
      url: 'http://a:1',
      token: '',
      tokenFile: '/etc/tandem/master/admin-token',
      fingerprint: null,
    });
    expect(pairs[0]!.problem).toBeNull();
  });
});
