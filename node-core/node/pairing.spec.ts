import { describe, expect, it } from 'vitest';
import type { Mode } from '../redundancy/index.ts';
import {
  describeDialFailure,
  helloProblem,
  settingsDifferences,
  type DialOutcome,
  type PairingSettings,
} from './pairing.ts';

const node = (mode: Mode, name = 'line-1', nodeId = `id-${mode}`) => ({ mode, name, nodeId });

describe('misconfiguration: a hello that cannot pair ends the link with a reason both nodes share', () => {
  it.each([
    ['one master and one backup of one pair: none', node('master'), node('backup'), null],
    [
      'misconfiguration: both masters',
      node('master', 'line-1', 'a'),
      node('master', 'line-1', 'b'),
      'both nodes run as master: a pair is one master and one backup',
    ],
    [
      'misconfiguration: both backups',
      node('backup', 'line-1', 'a'),
      node('backup', 'line-1', 'b'),
      'both nodes run as backup: a pair is one master and one backup',
    ],
    [
      'misconfiguration: an independent node',
      node('backup'),
      node('independent'),
      'the nodes run as backup and independent: a pair is one master and one backup',
    ],
    [
      'misconfiguration: other pair names (seen from the master)',
      node('master', 'line-1'),
      node('backup', 'line-2'),
      'the master is in pair "line-1", the backup in "line-2": both need one --name',
    ],
    [
      'misconfiguration: other pair names (seen from the backup: the same words)',
      node('backup', 'line-2'),
      node('master', 'line-1'),
      'the master is in pair "line-1", the backup in "line-2": both need one --name',
    ],
    [
      'misconfiguration: the same node twice (a copied data directory)',
      node('backup', 'line-1', 'n1'),
      node('master', 'line-1', 'n1'),
      'both nodes have node id n1: a data directory copied to the other node?',
    ],
  ])('%s', (_what, self, peer, problem) => {
    expect(helloProblem(self, peer)).toBe(problem);
  });

  it('misconfiguration: a reason fits the 123 bytes of a WebSocket close for usual names and ids', () => {
    const id = '8a6c1f0e-3b2d-4c5e-9f70-1a2b3c4d5e6f';
    for (const problem of [
      helloProblem(node('backup', 'x', id), node('master', 'y', id)),
      helloProblem(node('master', 'pump-station-4', 'a'), node('backup', 'pump-station-5', 'b')),
    ])
      expect(Buffer.byteLength(problem!)).toBeLessThanOrEqual(123);
  });
});

describe('settings mismatch: recovery and heartbeat timing the two nodes should share', () => {
  const base: PairingSettings = {
    recovery: 'automatic',
    pingRateMs: 1000,
    pingTimeoutMs: 3000,
    missedPings: 3,
    failoverTimeMs: 10_000,
  };
  it.each([
    ['the same settings: none', base, []],
    [
      'settings mismatch: ping rate',
      { ...base, pingRateMs: 500 },
      ['ping rate: 1000 ms here, 500 ms on the peer'],
    ],
    [
      'settings mismatch: ping timeout and missed pings',
      { ...base, pingTimeoutMs: 2000, missedPings: 5 },
      ['ping timeout: 3000 ms here, 2000 ms on the peer', 'missed pings: 3 here, 5 on the peer'],
    ],
    [
      'settings mismatch: failover time',
      { ...base, failoverTimeMs: 600 },
      ['failover time: 10000 ms here, 600 ms on the peer'],
    ],
    [
      'settings mismatch: recovery mode',
      { ...base, recovery: 'manual' },
      ['recovery: automatic here, manual on the peer'],
    ],
    ['a peer of an earlier version does not say: none', undefined, []],
  ] as const)('%s', (_what, peer, differences) => {
    expect(settingsDifferences(base, peer)).toEqual(differences);
  });
});

describe("misconfiguration: why a backup's dial fails, as far as the network can tell", () => {
  const remote = { host: '10.0.0.7', port: 8099, local: false };
  const local = { host: '127.0.0.1', port: 8099, local: true };
  it.each<[string, typeof remote, DialOutcome, string]>([
    [
      'master refuses connections: a stopped master or a node that is not a master (a backup does not listen)',
      remote,
      { kind: 'refused' },
      'master at 10.0.0.7:8099 refuses connections: nothing listens on that port (the master is stopped, or the ' +
        'node there does not run as master, or its --peer-port is another)',
    ],
    [
      'master address is this machine and refuses: a backup cannot be its own master',
      local,
      { kind: 'refused' },
      'master at 127.0.0.1:8099 refuses connections: 127.0.0.1 is this machine and nothing listens on port 8099 ' +
        "(a backup does not listen: is --master-host the master's address, and is the master running?)",
    ],
    [
      'master does not answer',
      remote,
      { kind: 'timeout' },
      'master at 10.0.0.7:8099 does not answer within the ping timeout (the host is down, or a firewall drops the connection)',
    ],
    [
      'master host unknown',
      { host: 'master.plant', port: 8099, local: false },
      { kind: 'unknown-host', code: 'ENOTFOUND' },
      'master host "master.plant" is not known (ENOTFOUND): check --master-host',
    ],
    [
      'master unreachable',
      remote,
      { kind: 'unreachable', code: 'EHOSTUNREACH' },
      'master at 10.0.0.7:8099 cannot be reached (EHOSTUNREACH): no route to that host',
    ],
    [
      'something accepts connections but is no peer link',
      { host: 'fe80::1', port: 8088, local: false },
      { kind: 'accepted' },
      "master at [fe80::1]:8088 accepts connections, but no peer link comes up (is 8088 the master's peer port?)",
    ],
  ])('%s', (_what, target, outcome, text) => {
    expect(describeDialFailure(target, outcome)).toBe(text);
  });
});
