import { describe, expect, it } from 'vitest';
import type { PeerView, StatusView } from '../dto.ts';
import { pairVerdict, type NodeReading, type PairReading } from './verdict.ts';

function status(
  mode: 'master' | 'backup',
  nodeStatus: StatusView['node']['status'],
  peer: Partial<PeerView> | null = {},
): StatusView {
  return {
    node: {
      name: 'line-1',
      nodeId: `id-${mode}`,
      mode,
      status: nodeStatus,
      standbyLevel: 'warm',
      epoch: 3,
    } as StatusView['node'],
    peer:
      peer === null
        ? null
        : ({
            link: 'connected',
            linkReason: null,
            mode: mode === 'master' ? 'backup' : 'master',
            status: nodeStatus === 'active' ? 'standby' : 'active',
            rttMs: 2,
            ...peer,
          } as PeerView),
    licenseMatch: 'match',
    databaseDamage: null,
    licenseDifferences: [],
    misconfiguration: null,
    settingsDifferences: [],
    clockSkew: null,
    sync: { eventsReplicated: 0, configSeq: 1, peerConfigSeq: 1, runtimeLagMs: 3, conflicts: 0 },
  };
}

const answering = (s: StatusView, url = 'http://10.0.0.11:8088'): NodeReading => ({
  url,
  reach: 'answering',
  problem: null,
  status: s,
});
const gone = (
  problem = 'connection refused',
  url = 'http://10.0.0.11:8088',
  last: StatusView | null = null,
): NodeReading => ({
  url,
  reach: 'unreachable',
  problem,
  status: last,
});
const pair = (a: NodeReading, b: NodeReading, extra: Partial<PairReading> = {}): PairReading => ({
  problem: null,
  nodes: [a, b],
  certificatesPending: 0,
  certificatesExpiring: 0,
  ...extra,
});

describe('Monitoring: the view of a pair reads both nodes and says which one runs', () => {
  const master = status('master', 'active');
  const backup = status('backup', 'standby');

  it('healthy: the master runs, the backup is standby, the link is up, nothing waits', () => {
    const v = pairVerdict(pair(answering(master), answering(backup)));
    expect(v.verdict).toBe('healthy');
    expect(v.headline).toBe('Healthy: the master runs the plant');
    expect(v.active).toEqual({ index: 0, mode: 'master' });
    expect(v.problems).toEqual([]);
  });

  it('failed-over: the backup runs (the master does not answer), whichever order the file lists them', () => {
    const v = pairVerdict(
      pair(answering(status('backup', 'active', { link: 'disconnected', status: null })), gone()),
    );
    expect(v.verdict).toBe('failed-over');
    expect(v.headline).toBe('Failed over: the backup runs the plant');
    expect(v.active).toEqual({ index: 0, mode: 'backup' });
    expect(v.problems[0]).toMatch(/does not answer|connection refused/);
  });

  it('degraded: the master runs but the backup does not answer; the line names the backup and why', () => {
    const last = status('backup', 'standby');
    const v = pairVerdict(
      pair(
        answering(status('master', 'active', { link: 'disconnected', status: null, mode: 'backup' })),
        gone('connection refused', 'http://b:1', last),
      ),
    );
    expect(v.verdict).toBe('degraded');
    expect(v.headline).toBe('Degraded: backup (http://b:1): connection refused');
    expect(v.problems).toContain('peer link disconnected');
  });

  it.each([
    ['licenses differ', { licenseMatch: 'mismatch' as const }],
    ['config conflicts waiting', { sync: { ...master.sync, conflicts: 2 } }],
    ['both masters', { misconfiguration: 'both masters' }],
  ])('degraded: %s', (text, change) => {
    const v = pairVerdict(pair(answering({ ...master, ...change }), answering(backup)));
    expect(v.verdict).toBe('degraded');
    expect(v.problems.join('\n')).toContain(text.split(' ')[0]);
  });

  it("degraded: either node's database damaged, the standby's as much as the active one's", () => {
    const damaged = { databaseDamage: 'database /srv/tandem.db is damaged: …' };
    const onStandby = pairVerdict(
      pair(answering(master), answering({ ...backup, ...damaged }, 'http://10.0.0.12:8088')),
    );
    expect(onStandby.verdict).toBe('degraded');
    expect(onStandby.problems).toEqual(["backup (http://10.0.0.12:8088)'s database is damaged"]);
    expect(pairVerdict(pair(answering({ ...master, ...damaged }), answering(backup))).problems).toEqual([
      "master (http://10.0.0.11:8088)'s database is damaged",
    ]);
  });

  it('degraded: certificates waiting or expiring', () => {
    expect(
      pairVerdict(pair(answering(master), answering(backup), { certificatesPending: 1 })).problems,
    ).toEqual(['1 certificate waiting for approval']);
    expect(pairVerdict(pair(answering(master), answering(backup), { certificatesExpiring: 2 })).verdict).toBe(
      'degraded',
    );
  });

  it('degraded, not down: the monitor cannot reach the master, but the backup sees it running over the link', () => {
    const v = pairVerdict(pair(gone('no answer within 2 s'), answering(backup, 'http://b:1')));
    expect(v.verdict).toBe('degraded');
    expect(v.active).toEqual({ index: 0, mode: 'master' });
    expect(v.problems[0]).toContain('its peer sees it running');
  });

  it('split: both nodes answer active', () => {
    const v = pairVerdict(pair(answering(master), answering(status('backup', 'active'))));
    expect(v.verdict).toBe('split');
    expect(v.active).toBeNull();
  });

  it('down: neither node answers', () => {
    const v = pairVerdict(pair(gone(), gone('address not found', 'http://b:1')));
    expect(v.verdict).toBe('down');
    expect(v.headline).toBe('Down: neither node answers');
    expect(v.problems).toHaveLength(2);
  });

  it('down: the nodes answer but none is active', () => {
    const v = pairVerdict(
      pair(
        answering(status('master', 'standby', { status: 'standby' })),
        answering(status('backup', 'standby', { status: 'standby' })),
      ),
    );
    expect(v.verdict).toBe('down');
    expect(v.headline).toBe('Down: no node runs the plant');
  });

  it('unknown: not read yet, wrong credentials, wrong fingerprint: the monitor cannot tell', () => {
    const checking: NodeReading = { url: 'http://a:1', reach: 'checking', problem: null, status: null };
    expect(pairVerdict(pair(checking, checking)).headline).toBe('Unknown: reading the nodes…');
    const refused: NodeReading = {
      url: 'http://a:1',
      reach: 'unauthorized',
      problem: 'wrong credentials (401)',
      status: null,
    };
    const v = pairVerdict(pair(refused, gone()));
    expect(v.verdict).toBe('unknown');
    expect(v.headline).toBe('Unknown: wrong credentials (401)');
  });

  it('unknown: a pair the config cannot watch (a duplicate name) says why', () => {
    const v = pairVerdict(
      pair(answering(master), answering(backup), {
        problem: 'pair name "line-1" is used by an earlier pair',
      }),
    );
    expect(v.verdict).toBe('unknown');
    expect(v.headline).toContain('Not watched: pair name "line-1"');
  });

  it('a stale status is never read as live: a master that stopped answering is not counted as running', () => {
    const v = pairVerdict(
      pair(
        gone('connection refused', 'http://a:1', master),
        answering(status('backup', 'standby', { link: 'disconnected', status: null })),
      ),
    );
    expect(v.verdict).toBe('down');
  });
});
