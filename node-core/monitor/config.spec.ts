import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
        { url: 'http://10.0.0.11:8088', token: 'secret-token', fingerprint: null },
        { url: 'http://10.0.0.12:8088', token: 'secret-token', fingerprint: null },
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

  it("reads tokens from files next to the config; a missing one is that pair's problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-monitor-config-'));
    fs.writeFileSync(path.join(dir, 'master-token'), 'from-the-file\n');
    const pairs = parseMonitorConfig(
      JSON.stringify({
        pairs: [
          {
            name: 'a',
            nodes: [
              { url: 'http://a:1', tokenFile: 'master-token' },
              { url: 'http://b:1', tokenFile: 'missing' },
            ],
          },
        ],
      }),
      path.join(dir, 'fleet.json'),
    );
    expect(pairs[0]!.nodes[0].token).toBe('from-the-file');
    expect(pairs[0]!.problem).toMatch(/^pairs\.0\.nodes\.1\.tokenFile: .*missing cannot be read \(ENOENT\)$/);
  });
});
