/**
 * The API fuzzer (issue 14): starts a real node (`tandem-node`, independent or an active master, in a temp
 * dir) and throws random and mutated requests at every API route: methods, paths and parameters (long,
 * unicode, `..`, bad percent-encoding), queries, headers (tokens, Host, content types, lengths) and bodies
 * (wrong JSON, wrong shapes, huge, deeply nested), with and without a valid token. A case fails when the node
 * answers 500, stops answering, or exits. Every case comes from (seed, case number) alone, so one replays:
 *
 *   npx node test/fuzz/api-fuzz.ts --cases 20000 --seed 7            # a run
 *   npx node test/fuzz/api-fuzz.ts --seed 7 --only 1234               # case 1234 alone, against a fresh node
 *   npx node test/fuzz/api-fuzz.ts --seed 7 --cases 1235 --concurrency 1   # the run up to it, in order
 *
 * Exit code 0 with no failure, 1 with any; a failure prints its request and the replay commands.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { bearerToken } from '../../node-core/api/token.ts';
import { nameProblem } from '../../node-core/data/tag-definition.ts';
import { Prng } from '../simulation/prng.ts';
import { freePort, NodeProcess, SOURCE_CLI, tempDir } from '../integration/harness.ts';

export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** Only this case (against a fresh node). */
  readonly only?: number;
  readonly mode?: 'independent' | 'master';
  /** Stop at the first failure (default) or count them all. */
  readonly stopAtFirst?: boolean;
  readonly log?: (line: string) => void;
}

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
  /** Sent as these bytes on a socket of its own (what an HTTP client library would refuse to send). */
  readonly raw: Buffer | null;
  /** Which remote address sends it: the valid-token one, or a loopback address of its own. */
  readonly from: 'main' | 'other';
  /** It carries a token the node accepts (the admin token or an open session). */
  readonly validToken: boolean;
  readonly label: string;
}

export interface FuzzFailure {
  /** `contract`: an answer that breaks a rule of contract.md (see `contractBreach`). */
  readonly kind: '500' | 'contract' | 'no answer' | 'crash';
  readonly caseNumber: number;
  readonly request: FuzzRequest;
  readonly detail: string;
}

export interface FuzzResult {
  readonly seed: number;
  readonly cases: number;
  readonly seconds: number;
  readonly casesPerSecond: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly failures: readonly FuzzFailure[];
  /** CPU seconds spent by the fuzzer and by the node (Linux; null elsewhere): which side limits the rate. */
  readonly cpuSeconds: { readonly fuzzer: number; readonly node: number | null };
  /** The slowest cases, slowest first: where the time of a run goes. */
  readonly slowest: readonly { readonly caseNumber: number; readonly label: string; readonly ms: number }[];
}

const PASSWORD = 'fuzzing-password-1';
const USER = 'fuzzer';
/** A request with no answer in this long is a node that stopped answering. */
const ANSWER_BOUND_MS = 10_000;
/** Answers that are the node's own failures by design (a device that is not there, storage), not bugs. */
const EXPECTED_5XX = new Set([502, 503, 507]);

// ---- what a case may contain ----

const NAMES = ['f1', 'f2', 'b1', 's1', 'i1', 'sim1', 'mb1', 'mb2', 'line1/pump.speed'];
const DEVICES = ['dev1', 'dev2'];
const RULES = ['al1', 'al2', 'al3'];
const HOSTILE_NAMES = [
  '',
  '.',
  '..',
  '%2E%2E',
  '%2e',
  '...',
  'a..b',
  '%2F',
  'a%2Fb',
  '%2Fa',
  'a%2F',
  'a%2F%2Fb',
  '%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%00',
  'a%00b',
  '%20',
  'caf%C3%A9',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "'%3B DROP TABLE tags",
  '%3Cscript%3E',
  '~',
  '*',
  '-',
  '_',
];
const FINGERPRINTS = ['0'.repeat(64), 'f'.repeat(64), 'F'.repeat(64), 'abc', '0'.repeat(65), ''];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
const RAW_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'TRACE', 'PROPFIND', 'FOO', 'get', 'G E T', ''];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json;charset=latin1',
  'APPLICATION/JSON',
  'application/json ; foo=bar',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/vnd.api+json',
  '*/*',
  '',
  ';',
];

/**
 * Each route of the API as a template: `:name` and the like are filled per case. Every route the node
 * serves must be here: test/integration/api-routes.test.ts compares this list with the running API's own.
 */
export const ROUTES: readonly (readonly [method: string, path: string])[] = [
  ['GET', '/api/status'],
  ['GET', '/api/events'],
  ['GET', '/api/events.csv'],
  ['GET', '/api/certificates'],
  ['POST', '/api/certificates/:fp/approve'],
  ['POST', '/api/certificates/:fp/reject'],
  ['POST', '/api/redundancy/switchover'],
  ['GET', '/metrics'],
  ['GET', '/api/config/:kind'],
  ['GET', '/api/config/:kind/:name'],
  ['PUT', '/api/config/:kind/:name'],
  ['PUT', '/api/config/:kind/:name'],
  ['PUT', '/api/config/:kind/:name'],
  ['DELETE', '/api/config/:kind/:name'],
  ['POST', '/api/config/:kind'],
  ['GET', '/api/tags'],
  ['GET', '/api/tags/:name'],
  ['POST', '/api/tags/:name/write'],
  ['POST', '/api/tags/:name/write'],
  ['POST', '/api/tags/:name/write'],
  ['GET', '/api/alarms'],
  ['POST', '/api/alarms/:rule/ack'],
  ['POST', '/api/alarms/:rule/ack'],
  ['GET', '/api/config/conflicts'],
  ['POST', '/api/config/conflicts/:id/reapply'],
  ['DELETE', '/api/config/conflicts/:id'],
  ['GET', '/api/history/:name'],
  ['GET', '/api/settings'],
  ['PUT', '/api/settings'],
  ['POST', '/api/logout'],
  ['GET', '/api/login'],
  ['GET', '/api/session'],
  ['POST', '/api/partner-session'],
  ['GET', '/api/users'],
  ['POST', '/api/users'],
  ['DELETE', '/api/users/:user'],
  ['GET', '/api/live'],
  ['GET', '/'],
  ['GET', '/assets/:asset'],
  ['GET', '/api/nothing-here'],
];

/** Sent to now and then, apart from ROUTES (see makeCase). */
export const LOGIN = ['POST', '/api/login'] as const;

/** The config kinds a `:kind` in a route template stands for. */
export const KINDS = ['tags', 'devices', 'alarm-rules'];
const CRONS = [
  '0 3 * * *',
  '* * * * * *',
  '*/0 * * * *',
  '99 99 99 99 99',
  'x',
  '',
  '0 0 31 2 *',
  '@yearly',
  '0 0 * * * * * *',
];

/** The per-case generator state: which tokens there are, and what the node is likely to hold. */
interface Tokens {
  readonly admin: string;
  readonly sessions: readonly string[];
}

/** Builds case `n` of `seed`: the same request every time. */
export function makeCase(seed: number, n: number, tokens: Tokens): FuzzRequest {
  const rng = new Prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(n, 0x85ebca6b)) >>> 0);
  // A login costs the node a password hash (tens of ms on its thread pool) however it ends: rare, or they
  // would be most of the run's time.
  const [templateMethod, template] = rng.chance(0.004)
    ? LOGIN
    : rng.pick(ROUTES as [readonly [string, string], ...(readonly [string, string])[]]);
  const kind = rng.chance(0.9) ? rng.pick(KINDS as [string, ...string[]]) : name(rng);
  const fill = (path: string): string =>
    path
      .replace(':kind', () => kind)
      .replace(':name', () => name(rng, template.startsWith('/api/config/') ? kind : 'tags'))
      .replace(':rule', () => name(rng, 'alarm-rules'))
      .replace(':fp', () =>
        rng.chance(0.3) ? rng.pick(FINGERPRINTS as [string, ...string[]]) : hex(rng, 64),
      )
      // Mostly new names: the fuzzer's own account (whose sessions the run uses) is removed only now and then.
      .replace(':user', () => (rng.chance(0.1) ? USER : name(rng)))
      .replace(':id', () => (rng.chance(0.5) ? String(rng.int(0, 50)) : name(rng)))
      .replace(':asset', () =>
        rng.pick([
          'index.js',
          '..%2F..%2Fetc%2Fpasswd',
          '../../package.json',
          '%2e%2e/%2e%2e/x',
          'a/b/c.css',
          name(rng),
        ]),
      );
  let path = fill(template);
  path += query(rng, template);
  if (rng.chance(0.05)) path = mutatePath(rng, path);
  const method = rng.chance(0.9) ? templateMethod : rng.pick(METHODS);

  // Authorization: mostly right, sometimes a session, missing or wrong (wrong ones leave from other addresses,
  // so that the limit on wrong tokens never closes the API to the rest of the run).
  const auth = rng.next();
  let authorization: string | null;
  let from: 'main' | 'other' = 'main';
  if (auth < 0.72) authorization = `Bearer ${tokens.admin}`;
  else if (auth < 0.82 && tokens.sessions.length > 0)
    authorization = `Bearer ${rng.pick(tokens.sessions as [string, ...string[]])}`;
  else if (auth < 0.88) authorization = null;
  else {
    from = 'other';
    authorization = rng.pick([
      'Bearer wrong-token',
      `Bearer ${hex(rng, 43)}`,
      `Bearer ${tokens.admin}x`,
      `bearer ${tokens.admin}`,
      `Bearer  ${tokens.admin} `,
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      `Bearer ${'A'.repeat(rng.int(100, 12_000))}`,
      `Bearer ${tokens.admin}${tokens.admin}`,
    ]);
  }

  const headers: Record<string, string> = {};
  if (authorization !== null) headers['authorization'] = authorization;
  if (rng.chance(0.04))
    headers['host'] = rng.pick([
      'evil.example',
      'localhost',
      '127.0.0.1:1',
      '[::1]',
      'LOCALHOST',
      'a'.repeat(300),
    ]);
  if (rng.chance(0.05)) headers['accept'] = rng.pick(['text/csv', '*/*', 'application/json;q=0', 'x/y']);
  if (rng.chance(0.03)) headers['x-forwarded-for'] = '10.0.0.1';
  if (rng.chance(0.03))
    headers['accept-encoding'] = rng.pick(['gzip', 'br', 'deflate, gzip;q=0', 'identity;q=0']);

  const body = makeBody(rng, template, method, kind);
  if (body !== null) {
    headers['content-type'] = rng.chance(0.85)
      ? 'application/json'
      : rng.pick(CONTENT_TYPES as [string, ...string[]]);
    if (headers['content-type'] === '') delete headers['content-type'];
  } else if (rng.chance(0.05)) {
    headers['content-type'] = 'application/json';
  }
  if (template === '/api/login' && rng.chance(0.5)) from = 'other';

  const label = `${method} ${template}`;
  const token = bearerToken(authorization ?? undefined);
  const validToken = token === tokens.admin || tokens.sessions.includes(token);
  if (rng.chance(0.12)) {
    const raw = rawRequest(rng, method, path, headers, body);
    return { method, path, headers, body, raw, from, validToken, label: `raw ${label}` };
  }
  return { method, path, headers, body, raw: null, from, validToken, label };
}

/** A name, mostly one the node may hold, sometimes long, hostile or random. */
function name(rng: Prng, kind = 'tags'): string {
  const r = rng.next();
  const own = kind === 'devices' ? DEVICES : kind === 'alarm-rules' ? RULES : NAMES;
  if (r < 0.6) return encodeURIComponent(rng.pick((rng.chance(0.9) ? own : NAMES) as [string, ...string[]]));
  if (r < 0.75) return rng.pick(HOSTILE_NAMES as [string, ...string[]]);
  if (r < 0.85) return 'n'.repeat(rng.pick([99, 100, 101, 199, 200, 201, 255, 1000, 5000, 15_000]));
  if (r < 0.95) return percentEncoded(unicode(rng, rng.int(1, 40)));
  return encodeURIComponent(ascii(rng, rng.int(1, 30)));
}

function query(rng: Prng, template: string): string {
  if (!rng.chance(template.includes('events') || template.includes('history') ? 0.6 : 0.08)) return '';
  const pairs: string[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) {
    const key = rng.pick([
      'limit',
      'kind',
      'from',
      'to',
      'maxPoints',
      'x',
      '__proto__',
      'limit[]',
      'constructor',
    ]);
    const value = rng.pick([
      '1',
      '0',
      '-1',
      '100000',
      '100001',
      '1e3',
      '9'.repeat(30),
      'NaN',
      'abc',
      '',
      '%',
      '%zz',
      '2024-05-01T12:00:00Z',
      '0000-01-01',
      '9999-12-31T23:59:59Z',
      '2024-13-45',
      '275760-09-13T00:00:00Z',
      'failover,peer-lost',
      ','.repeat(rng.int(1, 3000)),
      'x'.repeat(rng.int(1, 8000)),
      percentEncoded(unicode(rng, 5)),
    ]);
    pairs.push(`${key}=${value}`);
  }
  return `?${pairs.join('&')}`;
}

function mutatePath(rng: Prng, path: string): string {
  switch (rng.int(0, 6)) {
    case 0:
      return `/${path}`;
    case 1:
      return `${path}/`;
    case 2:
      return path.replace('/api/', '/api//');
    case 3:
      return path.replace('/api/', '/api/../api/');
    case 4:
      return path.toUpperCase();
    case 5:
      return `${path}${path.includes('?') ? '&' : '?'}${'q'.repeat(rng.int(1, 12_000))}`;
    default:
      return path.replace(/\//g, '%2F');
  }
}

const memoryTag = (dataType: string): object => ({ dataType, source: { kind: 'memory' } });

/** A body for `template`: often the right shape, often not. */
function makeBody(rng: Prng, template: string, method: string, kind: string): Buffer | null {
  const wantsBody = method === 'PUT' || method === 'POST' || method === 'PATCH';
  if (!wantsBody && !rng.chance(0.03)) return null;
  if (rng.chance(0.1)) return null;
  const r = rng.next();
  if (r < 0.06)
    return Buffer.from(rng.pick(['{', '{"a":', 'nul', '[1,2', '"', '{"a":1}}', "{'a':1}", '\u0000', '']));
  if (r < 0.09) return Buffer.from(rng.pick(['null', 'true', '1', '"text"', '[]', '{}', '[{}]']));
  if (r < 0.11) return deep(rng);
  if (r < 0.12)
    return Buffer.from(JSON.stringify({ value: 'x'.repeat(rng.pick([65_536, 65_537, 1_100_000])) }));
  if (r < 0.14)
    return Buffer.from(rng.pick(['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']));
  if (r < 0.16) return Buffer.from(Array.from({ length: rng.int(1, 300) }, () => rng.int(0, 255)));
  const valid = validBody(rng, template, kind);
  return Buffer.from(JSON.stringify(rng.chance(0.7) ? valid : mutate(rng, valid, 0)));
}

function validBody(rng: Prng, template: string, kind: string): unknown {
  const uid = rng.chance(0.7) ? `u${rng.int(0, 30)}` : undefined;
  if (template.endsWith('/write')) {
    const value = rng.pick<unknown>([
      rng.int(-10, 10),
      rng.next() * 100,
      true,
      false,
      'text',
      1e308,
      -0,
      2 ** 53,
      '',
    ]);
    return uid === undefined ? { value } : { value, uid };
  }
  if (template.endsWith('/ack')) return uid === undefined ? { by: 'operator' } : { by: 'operator', uid };
  if (template === '/api/login')
    return {
      name: rng.chance(0.6) ? USER : 'nobody',
      password: rng.chance(0.6) ? PASSWORD : 'wrong-password',
    };
  if (template === '/api/users')
    return {
      name: rng.pick([name(rng), USER, '', 'x'.repeat(300), unicode(rng, 6)]),
      password: rng.pick([PASSWORD, 'short', '', 'p'.repeat(2000)]),
    };
  if (template === '/api/config/:kind') {
    const items = Array.from({ length: rng.pick([0, 1, 3, 20]) }, () => ({
      name: name(rng, kind),
      ...(validBody(rng, '/api/config/:kind/:name', kind) as object),
    }));
    return { items };
  }
  if (template === '/api/settings')
    return rng.pick<unknown>([
      { timing: { pingRateMs: rng.int(0, 5000) } },
      {
        timing: {
          pingRateMs: 1,
          pingTimeoutMs: 3_600_000,
          missedPings: rng.int(0, 100),
          failoverTimeMs: rng.int(-5, 10),
        },
      },
      { name: rng.pick(['fuzzed', '', 'x'.repeat(300), unicode(rng, 6)]) },
      {
        mode: rng.pick(['independent', 'master', 'backup']),
        masterHost: rng.pick(['127.0.0.1', '', '::1', 'a'.repeat(300)]),
      },
      { standby: 'cold', recovery: rng.pick(['automatic', 'manual', 'window']) },
      {
        recovery: 'window',
        restoreWindow: { cron: rng.pick(CRONS as [string, ...string[]]), lengthMs: rng.int(-1, 90_000_000) },
      },
      { restoreWindow: null },
      { isolationCheck: { host: rng.pick(['127.0.0.1', '', 'x'.repeat(300)]), port: rng.int(-1, 70_000) } },
      {
        apiPort: rng.int(-1, 70_000),
        peerPort: rng.int(-1, 70_000),
        apiHost: rng.pick(['0.0.0.0', '::', 'nowhere', '']),
      },
      { licenseFile: rng.pick(['/etc/passwd', '/nonexistent', '', 'relative/path', '/dev/zero', '\0']) },
      { licensePublicKeyFile: rng.pick(['/etc/hostname', '/', '/proc/self/mem']) },
      {
        historyRetentionDays: rng.int(-1, 100_000),
        ledgerRetentionDays: rng.pick<unknown>([0, 1, 1e9, '7']),
      },
      { pending: null },
    ]);
  if (template.startsWith('/api/config/')) {
    const register = rng.pick([0, 1, 65_535, 65_536, -1, 1.5]);
    const bodies: unknown[] = [
      memoryTag(rng.pick(['float', 'int', 'bool', 'string'])),
      { ...memoryTag('int'), readOnly: rng.chance(0.5), description: 'd'.repeat(rng.pick([0, 1000, 1001])) },
      {
        dataType: rng.pick(['float', 'int', 'bool', 'string']),
        source: {
          kind: 'simulator',
          waveform: rng.pick(['sine', 'ramp', 'random']),
          periodMs: rng.pick([100, 99, 1000, 86_400_000]),
          min: rng.pick([0, 100, -1e308, 1e308]),
          max: rng.pick([0, 100, -1e308, 1e308]),
        },
      },
      {
        dataType: rng.pick(['float', 'int', 'bool', 'string']),
        source: {
          kind: 'modbus',
          device: rng.pick(['dev1', 'missing', 'line1/pump.speed']),
          register,
          table: rng.pick(['holding', 'input', 'coil', 'discrete']),
          ...(rng.chance(0.5) ? { scale: rng.pick([0.1, 10, 1e-300, -1]) } : {}),
        },
      },
      {
        protocol: 'modbus-tcp',
        host: rng.pick(['127.0.0.1', 'localhost', '256.0.0.1', 'nowhere.invalid']),
        port: rng.pick([1, 502, 65_535]),
        unitId: rng.int(0, 255),
        pollRateMs: rng.pick([50, 1000, 3_600_000]),
        timeoutMs: rng.pick([10, 1000, 60_000]),
      },
      {
        tag: rng.pick(['f1', 'i1', 's1', 'b1', 'sim1', 'mb1', 'gone', 'line1/pump.speed']),
        condition: rng.pick(['high', 'low', 'equal']),
        threshold: rng.pick<unknown>([5, 0, -1e308, 'on', true, '']),
        ...(rng.chance(0.3) ? { deadband: rng.pick([0, 1, 1e308]) } : {}),
        ...(rng.chance(0.3) ? { priority: rng.pick(['low', 'critical']) } : {}),
        ...(rng.chance(0.3) ? { message: unicode(rng, 10) } : {}),
      },
    ];
    // Mostly the shape of the kind in the path (tags 0-3, devices 4, alarm rules 5), sometimes another.
    const own = kind === 'devices' ? [4] : kind === 'alarm-rules' ? [5] : [0, 1, 2, 3];
    return bodies[rng.chance(0.9) ? rng.pick(own as [number, ...number[]]) : rng.int(0, bodies.length - 1)];
  }
  return { x: 1 };
}

/** The same value with one part changed: a wrong type, a missing or extra field, an extreme value. */
function mutate(rng: Prng, value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > 3) {
    return rng.pick<unknown>([
      null,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      '',
      'x',
      'x'.repeat(300),
      true,
      [],
      {},
      [1, 'a'],
      { a: 1 },
      unicode(rng, 8),
    ]);
  }
  const copy: Record<string, unknown> = Array.isArray(value)
    ? { ...value }
    : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const r = rng.next();
  if (r < 0.3 && keys.length > 0) delete copy[rng.pick(keys as [string, ...string[]])];
  else if (r < 0.45)
    copy[rng.pick(['extra', '__proto__', 'constructor', '', 'name', 'uid', 'value'])] = mutate(
      rng,
      null,
      depth + 1,
    );
  else if (keys.length > 0) {
    const key = rng.pick(keys as [string, ...string[]]);
    copy[key] = mutate(rng, copy[key], depth + 1);
  }
  return Array.isArray(value) ? Object.values(copy) : copy;
}

function deep(rng: Prng): Buffer {
  const levels = rng.pick([100, 1000, 10_000, 100_000, 400_000]);
  const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
  return Buffer.from(`${open.repeat(levels)}1${close.repeat(levels)}`);
}

/** The request as bytes, sometimes malformed: a lying length, a bad version, raw unicode, no Host. */
function rawRequest(
  rng: Prng,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Buffer {
  const m = rng.chance(0.7) ? method : rng.pick(RAW_METHODS as [string, ...string[]]);
  let target = path;
  const r = rng.next();
  if (r < 0.15) target = path.replace(/%2F/gi, '/').replace(/%2E/gi, '.');
  else if (r < 0.3) target = `${path}${unicode(rng, 4)}`;
  else if (r < 0.35) target = `http://127.0.0.1${path}`;
  else if (r < 0.4) target = '*';
  else if (r < 0.45) target = `${path}#fragment`;
  const version = rng.chance(0.9) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTX/1.1', '']);
  const lines = [`${m} ${target} ${version}`];
  const all: Record<string, string> = { host: '127.0.0.1', ...headers, connection: 'close' };
  if (rng.chance(0.1)) delete all['host'];
  const length = body?.length ?? 0;
  const lengthLine = rng.pick([
    `content-length: ${length}`,
    `content-length: ${length}`,
    `content-length: ${length + rng.int(1, 100)}`,
    `content-length: ${Math.max(0, length - 1)}`,
    'content-length: -1',
    'content-length: abc',
    `content-length: ${length}\r\ncontent-length: ${length + 1}`,
    'transfer-encoding: chunked',
    `transfer-encoding: chunked\r\ncontent-length: ${length}`,
  ]);
  for (const [key, value] of Object.entries(all)) lines.push(`${key}: ${value}`);
  if (body !== null || rng.chance(0.2)) lines.push(lengthLine);
  if (rng.chance(0.05)) lines.push(`x-unicode: ${unicode(rng, 5)}`);
  if (rng.chance(0.03)) lines.push('bad header line');
  if (rng.chance(0.02)) lines.push(`x-big: ${'h'.repeat(20_000)}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  if (body === null) return head;
  if (lengthLine.startsWith('transfer-encoding')) {
    const chunked = rng.chance(0.7)
      ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
      : Buffer.concat([Buffer.from('zz\r\n'), body]);
    return Buffer.concat([head, chunked]);
  }
  return Buffer.concat([head, body]);
}

/** Every byte of the UTF-8 of `text` percent-encoded (a lone surrogate becomes U+FFFD, where encodeURIComponent throws). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function hex(rng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

function ascii(rng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(rng.int(32, 126));
  return s;
}

function unicode(rng: Prng, length: number): string {
  const pool = [
    'é',
    'ß',
    '日本',
    '😀',
    '\u202e',
    '\u200b',
    '\ufeff',
    'Ω',
    '\u0301',
    'ℌ',
    '\ud800',
    'a',
    '/',
    '.',
  ];
  let s = '';
  for (let i = 0; i < length; i++) s += rng.pick(pool as [string, ...string[]]);
  return s;
}

// ---- what an answer must be ----

/** Routes that answer without a token (contract.md): the login, and the dashboard's page and files. */
const OPEN_TEMPLATES = new Set(['/api/login', '/', '/assets/:asset']);

/** The rule of contract.md that `answer` breaks, or null: besides a 500, what the fuzzer holds the node to. */
export function contractBreach(request: FuzzRequest, answer: Answer): string | null {
  const method = request.raw ? request.raw.toString('latin1', 0, 16).split(' ')[0] : request.method;
  if (answer.status === 414)
    return '414: the node routes every path Node reads (names are checked, with a 400)';
  if (method === 'HEAD' && answer.body !== '') return 'an answer to HEAD with a body';
  if (answer.status >= 400 && answer.body.startsWith('{')) {
    let shape: unknown;
    try {
      shape = JSON.parse(answer.body);
    } catch {
      shape = null;
    }
    const error = (shape as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code !== 'string' || typeof error.message !== 'string')
      return `an error answer not shaped { error: { code, message } }: ${answer.body.slice(0, 300)}`;
  }
  if (request.raw) return null;
  const template = request.label.split(' ')[1] ?? '';
  if (answer.status < 300 && answer.status >= 200 && !request.validToken && !OPEN_TEMPLATES.has(template))
    return `${answer.status} without a valid token`;
  const put = /^\/api\/config\/(?:tags|devices|alarm-rules)\/([^/?]*)(?:\?|$)/.exec(request.path);
  if (method === 'PUT' && put && answer.status === 200) {
    let name: string;
    try {
      name = decodeURIComponent(put[1]!);
    } catch {
      return `a name that is no percent-encoding was stored: ${put[1]}`;
    }
    const problem = nameProblem(name);
    if (problem) return `a name against the rules was stored (${JSON.stringify(name)}: ${problem})`;
  }
  return null;
}

// ---- sending ----

interface Answer {
  readonly status: number;
  readonly body: string;
}

class Sender {
  readonly #port: number;
  readonly #main = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #others: readonly string[];
  #next = 0;

  constructor(port: number, otherAddresses: readonly string[]) {
    this.#port = port;
    this.#others = otherAddresses;
  }

  /**
   * Sends `request`; a kept-alive connection that the node closed after its previous answer (as it does after
   * a request it refused outright) is no answer to this one, so a request whose connection ends without one
   * is sent once more on a new connection.
   */
  async send(request: FuzzRequest): Promise<Answer | { error: string }> {
    const localAddress = request.from === 'main' || this.#others.length === 0 ? '127.0.0.1' : this.#other();
    if (request.raw) return this.#sendRaw(request.raw, localAddress);
    const first = await this.#send(request, localAddress, localAddress === '127.0.0.1' ? this.#main : false);
    if (!('error' in first) || first.error === 'no answer' || first.error.startsWith('not sent'))
      return first;
    return this.#send(request, localAddress, false);
  }

  #send(
    request: FuzzRequest,
    localAddress: string,
    agent: http.Agent | false,
  ): Promise<Answer | { error: string }> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (answer: Answer | { error: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      let outgoing: http.ClientRequest;
      try {
        outgoing = http.request(
          {
            host: '127.0.0.1',
            port: this.#port,
            method: request.method,
            path: request.path,
            headers: request.body
              ? { ...request.headers, 'content-length': String(request.body.length) }
              : request.headers,
            localAddress,
            agent,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
            response.on('end', () =>
              done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', (error) => done({ error: error.message }));
          },
        );
      } catch (error) {
        // A header or path the client library refuses to send: the node never sees it.
        resolve({ error: `not sent: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      const timer = setTimeout(() => {
        outgoing.destroy();
        done({ error: 'no answer' });
      }, ANSWER_BOUND_MS);
      outgoing.on('error', (error) => done({ error: error.message }));
      outgoing.end(request.body ?? undefined);
    });
  }

  close(): void {
    this.#main.destroy();
  }

  #other(): string {
    this.#next = (this.#next + 1) % this.#others.length;
    return this.#others[this.#next]!;
  }

  #sendRaw(bytes: Buffer, localAddress: string): Promise<Answer | { error: string }> {
    const method = bytes.toString('latin1', 0, 16).split(' ')[0] ?? '';
    return new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: this.#port, localAddress });
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(chunks.length > 0 ? answerOf(chunks, method) : { error: 'no answer' });
      }, ANSWER_BOUND_MS);
      socket.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        // Closed without an answer: the node refused the bytes outright (a parse error), which is fine.
        resolve(chunks.length > 0 ? answerOf(chunks, method) : { status: 0, body: '' });
      });
      socket.end(bytes);
    });
  }
}

/** The first answer in what a raw socket received (the bytes after its body belong to a later answer). */
function answerOf(chunks: Buffer[], method: string): Answer {
  const bytes = Buffer.concat(chunks);
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.toString('latin1', 0, end < 0 ? bytes.length : end);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  const body = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  // An answer to HEAD has no body, whatever its length says: what follows is the next answer, if anything.
  if (method === 'HEAD')
    return {
      status: status ? Number(status[1]) : -1,
      body: body.toString('latin1', 0, 5) === 'HTTP/' ? '' : body.toString('utf8'),
    };
  return {
    status: status ? Number(status[1]) : -1,
    body: (length ? body.subarray(0, Number(length[1])) : body).toString('utf8'),
  };
}

/** Loopback addresses other than 127.0.0.1 that this machine can send from (none on some systems). */
async function otherAddresses(port: number): Promise<string[]> {
  const candidates = Array.from({ length: 64 }, (_, i) => `127.0.${1 + (i >> 8)}.${(i & 255) + 1}`);
  const probe = (address: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: address }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  return (await probe(candidates[0]!)) ? candidates : [];
}

// ---- the run ----

async function startNode(mode: 'independent' | 'master'): Promise<NodeProcess> {
  const dir = tempDir('api-fuzz');
  const added = spawnSync(process.execPath, [SOURCE_CLI, 'user', 'add', '--data-dir', dir, '--name', USER], {
    input: `${PASSWORD}\n`,
    encoding: 'utf8',
  });
  if (added.status !== 0) throw new Error(`user add failed: ${added.stderr}`);
  const args =
    mode === 'master'
      ? [
          '--mode',
          'master',
          '--peer-port',
          String(await freePort()),
          '--peer-host',
          '127.0.0.1',
          '--connection-wait',
          '200',
        ]
      : ['--peer-port', '0'];
  const node = new NodeProcess(dir, await freePort(), ['--name', 'fuzz', ...args]);
  await node.start();
  if (mode === 'master') await node.waitStatus((s) => s.node.status === 'active', 'master active');
  return node;
}

async function sessionsOf(node: NodeProcess, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await node.api<{ token: string }>('POST', '/api/login', {
      name: USER,
      password: PASSWORD,
    });
    if (answer.status === 200) tokens.push(answer.body.token);
  }
  return tokens;
}

export async function runApiFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const node = await startNode(options.mode ?? 'independent');
  const statuses: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  const sender = new Sender(node.apiPort, await otherAddresses(node.apiPort));
  let exited: string | null = null;
  node.child?.once('exit', (code, signal) => (exited = `the node exited (code ${code}, signal ${signal})`));
  const inFlight = new Map<number, FuzzRequest>();
  const slowest: { caseNumber: number; label: string; ms: number }[] = [];
  const byLabel = new Map<string, number>();
  const started = Date.now();
  const cpuAtStart = process.cpuUsage();
  const nodeCpuAtStart = cpuSecondsOf(node.child?.pid);
  let done = 0;
  let nodeCpu: number | null = null;
  try {
    // Sessions to use and to end: a logout from the fuzzer's own address would make its later uses wrong tokens.
    const tokens: Tokens = { admin: node.token, sessions: await sessionsOf(node, 3) };
    const numbers =
      options.only !== undefined ? [options.only] : Array.from({ length: options.cases }, (_, i) => i);
    let next = 0;
    const stop = (): boolean => exited !== null || (options.stopAtFirst !== false && failures.length > 0);
    const worker = async (): Promise<void> => {
      while (next < numbers.length && !stop()) {
        const n = numbers[next++]!;
        let request = makeCase(options.seed, n, tokens);
        // Logging out a session would turn it into a wrong token from the fuzzer's own address: not here.
        if (
          request.path.startsWith('/api/logout') &&
          tokens.sessions.some((t) => request.headers['authorization']?.includes(t))
        )
          request = { ...request, headers: { ...request.headers, authorization: `Bearer ${tokens.admin}` } };
        inFlight.set(n, request);
        const sentAt = Date.now();
        const answer = await sender.send(request);
        inFlight.delete(n);
        done++;
        slowest.push({ caseNumber: n, label: request.label, ms: Date.now() - sentAt });
        if (slowest.length > 50) slowest.sort((a, b) => b.ms - a.ms).splice(10);
        if (exited !== null) break;
        if ('error' in answer) {
          if (process.env['FUZZ_DEBUG']) log(`#${n} ${request.label} (${request.from}): ${answer.error}`);
          statuses[answer.error === 'no answer' ? 'no answer' : 'connection error'] =
            (statuses[answer.error === 'no answer' ? 'no answer' : 'connection error'] ?? 0) + 1;
          // The node's answer was no HTTP the client could read (a body after an answer to HEAD, say).
          if (answer.error.startsWith('Parse Error')) {
            failures.push({
              kind: 'contract',
              caseNumber: n,
              request,
              detail: `an answer that is no HTTP: ${answer.error}`,
            });
          }
          if (answer.error === 'no answer') {
            failures.push({
              kind: 'no answer',
              caseNumber: n,
              request,
              detail: `no answer within ${ANSWER_BOUND_MS} ms`,
            });
          }
          continue;
        }
        statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
        if (process.env['FUZZ_DEBUG']) {
          const key = `${request.label} ${answer.status} ${answer.body.slice(0, 60)}`;
          byLabel.set(key, (byLabel.get(key) ?? 0) + 1);
        }
        if (answer.status >= 500 && !EXPECTED_5XX.has(answer.status)) {
          failures.push({
            kind: '500',
            caseNumber: n,
            request,
            detail: `${answer.status} ${answer.body.slice(0, 2000)}`,
          });
        } else {
          const breach = contractBreach(request, answer);
          if (breach) failures.push({ kind: 'contract', caseNumber: n, request, detail: breach });
        }
      }
    };
    await Promise.all(
      Array.from({ length: options.only !== undefined ? 1 : (options.concurrency ?? 48) }, worker),
    );
    if (exited === null && !(await answers(node))) exited = 'the node stopped answering GET /api/status';
    if (exited !== null) {
      for (const [n, request] of inFlight)
        failures.push({ kind: 'crash', caseNumber: n, request, detail: exited });
      if (inFlight.size === 0)
        failures.push({
          kind: 'crash',
          caseNumber: -1,
          request: makeCase(options.seed, 0, tokens),
          detail: exited,
        });
    }
  } finally {
    const end = cpuSecondsOf(node.child?.pid);
    nodeCpu = end !== null && nodeCpuAtStart !== null ? end - nodeCpuAtStart : null;
    sender.close();
    // What it went through must not keep it from stopping cleanly (exit 0 on SIGTERM, in time).
    if (exited === null) {
      const timer = setTimeout(() => void node.kill('SIGKILL'), ANSWER_BOUND_MS);
      const code = await node.kill('SIGTERM');
      clearTimeout(timer);
      if (code !== 0)
        failures.push({
          kind: 'crash',
          caseNumber: -1,
          request: makeCase(options.seed, 0, { admin: node.token, sessions: [] }),
          detail: `the node did not stop cleanly on SIGTERM after the run (exit ${code})`,
        });
    }
    await node.kill('SIGKILL');
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (Date.now() - started) / 1000;
  const result: FuzzResult = {
    seed: options.seed,
    cases: done,
    seconds,
    casesPerSecond: Math.round(done / seconds),
    statuses,
    failures,
    cpuSeconds: { fuzzer: (cpu.user + cpu.system) / 1e6, node: nodeCpu },
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 5),
  };
  for (const failure of failures) log(describeFailure(result, failure, node.output));
  for (const [key, count] of [...byLabel].sort()) log(`${count}\t${key}`);
  return result;
}

/** User plus system CPU seconds of process `pid` so far, from /proc (null where there is none). */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function answers(node: NodeProcess): Promise<boolean> {
  const deadline = Date.now() + ANSWER_BOUND_MS;
  while (Date.now() < deadline) {
    if ((await node.status()) !== null) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

export function describeFailure(result: FuzzResult, failure: FuzzFailure, nodeLog: string): string {
  const r = failure.request;
  const show = (b: Buffer | null): string =>
    b === null
      ? '(none)'
      : b.length > 600
        ? `${JSON.stringify(b.subarray(0, 600).toString('utf8'))}… (${b.length} bytes)`
        : JSON.stringify(b.toString('utf8'));
  const logged = nodeLog
    .split('\n')
    .filter((line) => line.includes('"level":50') || line.includes('"level":60'))
    .slice(-3)
    .map((line) => (line.length > 1500 ? `${line.slice(0, 1500)}…` : line));
  return [
    `FAILURE (${failure.kind}) at case ${failure.caseNumber} of seed ${result.seed}: ${failure.detail.slice(0, 1000)}`,
    `  request: ${r.label} from ${r.from}`,
    `  ${r.method} ${r.path.length > 400 ? `${r.path.slice(0, 400)}… (${r.path.length} chars)` : r.path}`,
    `  headers: ${JSON.stringify(r.headers).slice(0, 600)}`,
    `  body: ${show(r.body)}`,
    ...(r.raw ? [`  raw bytes: ${show(r.raw)}`] : []),
    ...(logged.length > 0 ? ['  node log:', ...logged.map((l) => `    ${l}`)] : []),
    `  replay this case: npx node test/fuzz/api-fuzz.ts --seed ${result.seed} --only ${failure.caseNumber}`,
    `  replay the run to it: npx node test/fuzz/api-fuzz.ts --seed ${result.seed} --cases ${failure.caseNumber + 1} --concurrency 1`,
  ].join('\n');
}

export function summary(result: FuzzResult): string {
  const statuses = Object.entries(result.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const count = (kind: FuzzFailure['kind']): number => result.failures.filter((f) => f.kind === kind).length;
  return [
    `api fuzz, seed ${result.seed}: ${result.cases} cases in ${result.seconds.toFixed(1)} s (${result.casesPerSecond} cases/s)`,
    `  answers: ${statuses}`,
    `  500s: ${count('500')}, no answer: ${count('no answer')}, crashes: ${count('crash')}`,
    `  CPU: fuzzer ${result.cpuSeconds.fuzzer.toFixed(1)} s, node ${result.cpuSeconds.node?.toFixed(1) ?? '?'} s`,
    `  slowest: ${result.slowest.map((s) => `#${s.caseNumber} ${s.label} ${s.ms} ms`).join('; ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '5000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      concurrency: { type: 'string', default: '48' },
      only: { type: 'string' },
      mode: { type: 'string', default: 'independent' },
      all: { type: 'boolean', default: false },
    },
  });
  const mode = values.mode === 'master' ? 'master' : 'independent';
  const result = await runApiFuzz({
    seed: Number(values.seed),
    cases: Number(values.cases),
    concurrency: Number(values.concurrency),
    ...(values.only !== undefined ? { only: Number(values.only) } : {}),
    mode,
    stopAtFirst: !values.all,
  });
  console.log(summary(result));
  if (result.failures.length > 0)
    console.log(
      `replay the run: npx node test/fuzz/api-fuzz.ts --seed ${result.seed} --cases ${values.cases} --mode ${mode}`,
    );
  return result.failures.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
