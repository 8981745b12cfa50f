import { describe, expect, it } from 'vitest';
import { failoverEvent, statusView } from '../test/fixtures.ts';
import { formatTime } from './format.ts';
import { pairHealth, type PairHealthInput } from './pair-health.ts';

function health(overrides: Partial<PairHealthInput> = {}): ReturnType<typeof pairHealth> {
  return pairHealth({
    status: statusView(),
    answering: true,
    events: [],
    certificatesPending: 0,
    ...overrides,
  });
}

describe('pairHealth', () => {
  it('master running, backup on standby and linked, nothing waiting: healthy', () => {
    expect(health()).toEqual({ tone: 'good', text: 'Pair healthy: master running, backup ready' });
    // The same, seen from the backup.
    const fromBackup = statusView({
      node: { mode: 'backup', status: 'standby' },
      peer: { mode: 'master', status: 'active' },
    });
    expect(health({ status: fromBackup }).text).toBe('Pair healthy: master running, backup ready');
  });

  it('the backup running and the master ready (after a switch-over): still redundant', () => {
    const status = statusView({
      node: { mode: 'backup', status: 'active' },
      peer: { mode: 'master', status: 'standby' },
    });
    expect(health({ status })).toEqual({ tone: 'good', text: 'Pair healthy: backup running, master ready' });
  });

  it('the backup took over from a master that does not answer: since when, from the history', () => {
    const nodeId = 'node-backup';
    const status = statusView({
      node: { mode: 'backup', status: 'active', nodeId },
      peer: { mode: 'master', status: 'active', link: 'disconnected' },
    });
    const tookOver = failoverEvent({
      at: '2025-06-01T02:33:00Z',
      nodeId,
      node: 'backup',
      from: 'standby',
      to: 'active',
    });
    const older = failoverEvent({
      at: '2025-06-01T01:00:00Z',
      nodeId,
      node: 'backup',
      from: 'starting',
      to: 'active',
    });
    expect(health({ status, events: [tookOver, older] })).toEqual({
      tone: 'bad',
      text: `Running on the backup since ${formatTime('2025-06-01T02:33:00Z')} — master not answering.`,
    });
    // Without the history, the line leaves the time out rather than guess it.
    expect(health({ status, events: null }).text).toBe('Running on the backup — master not answering.');
  });

  it('the master running alone: the backup is not answering', () => {
    const status = statusView({ peer: { link: 'connecting', status: null } });
    expect(health({ status }).text).toBe('Running on the master — backup not answering.');
  });

  it('needs attention when the link waits for a certificate, saying on which node', () => {
    const status = statusView({ peer: { link: 'pending-approval', status: null } });
    expect(health({ status, certificatesPending: 1 })).toEqual({
      tone: 'warn',
      text: 'Needs attention: the peer link waits for certificate approval on this node; the master runs without redundancy.',
    });
    expect(health({ status }).text).toBe(
      'Needs attention: the peer link waits for certificate approval on the peer; the master runs without redundancy.',
    );
  });

  it('needs attention for what waits while both nodes do their part, naming the roles too', () => {
    const status = statusView({
      licenseMatch: 'mismatch',
      settingsDifferences: ['recovery: automatic here, manual on the peer'],
      conflicts: 2,
    });
    expect(health({ status })).toEqual({
      tone: 'warn',
      text:
        "Needs attention: the nodes' licenses differ; the nodes' recovery or heartbeat settings differ; " +
        '2 config changes from a split wait for review. Master running, backup ready.',
    });
  });

  it('needs attention when both nodes run, or none does', () => {
    const both = statusView({ peer: { status: 'active' } });
    expect(health({ status: both })).toEqual({
      tone: 'bad',
      text: 'Needs attention: both nodes are running (dual active).',
    });
    const none = statusView({ node: { status: 'standby' }, peer: { status: 'standby' } });
    expect(health({ status: none }).text).toBe(
      'Needs attention: no node is running (this node on standby, the backup on standby).',
    );
    const starting = statusView({ peer: { status: 'starting' } });
    expect(health({ status: starting })).toEqual({
      tone: 'warn',
      text: 'Needs attention: master running, backup starting.',
    });
  });

  it('this node not answering while the other node reports: the line says how the pair runs, not again that this node is silent', () => {
    const running = health({
      answering: false,
      partnerReport: { partner: 'backup', partnerStatus: 'active' },
    });
    expect(running).toEqual({ tone: 'warn', text: 'Running on the backup, as it reports itself.' });
    const standby = health({
      answering: false,
      partnerReport: { partner: 'backup', partnerStatus: 'standby' },
    });
    expect(standby).toEqual({ tone: 'bad', text: 'Needs attention: the backup reports itself on standby.' });
  });

  it('this node not answering, a misconfiguration, no peer', () => {
    expect(health({ answering: false }).tone).toBe('bad');
    expect(health({ answering: false }).text).toMatch(/^Needs attention: this node is not answering/);
    const misconfigured = statusView({
      misconfiguration: 'both nodes run as master',
      peer: { link: 'faulted' },
    });
    expect(health({ status: misconfigured }).text).toBe(
      'Needs attention: the two nodes cannot form a pair — both nodes run as master.',
    );
    const alone = statusView({ node: { mode: 'independent' }, peer: null });
    expect(health({ status: alone })).toEqual({
      tone: 'info',
      text: 'Running independent: this node has no peer, so there is no redundancy.',
    });
  });
});
