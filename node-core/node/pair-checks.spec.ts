import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import type { Hello } from '../peer/index.ts';
import type { Mode } from '../redundancy/index.ts';
import { PairChecks, type PairCheckEvent } from './pair-checks.ts';
import type { DialOutcome, PairingSettings } from './pairing.ts';

const HOUR = 3_600_000;
const pairing: PairingSettings = {
  recovery: 'automatic',
  pingRateMs: 100,
  pingTimeoutMs: 300,
  missedPings: 3,
  failoverTimeMs: 600,
};

function setup(mode: Mode, outcome: DialOutcome = { kind: 'refused' }) {
  const clock = new ManualClock(1_000_000);
  const recorded: { kind: PairCheckEvent; reason: string }[] = [];
  const probes: number[] = [];
  const checks = new PairChecks({
    identity: { nodeId: `id-${mode}`, name: 'line-1', mode },
    pairing,
    clock,
    dialTarget: mode === 'backup' ? { host: '10.0.0.7', port: 8099, local: false } : null,
    probeEveryMs: 300,
    probeTimeoutMs: 300,
    skewBoundMs: 300,
    probe: () => {
      probes.push(clock.now());
      return Promise.resolve(outcome);
    },
    record: (kind, reason) => recorded.push({ kind, reason }),
  });
  return { clock, checks, recorded, probes };
}

function hello(overrides: Partial<Hello> = {}): Hello {
  return {
    t: 'hello',
    protocol: 1,
    nodeId: 'id-master',
    name: 'line-1',
    mode: 'master',
    status: 'active',
    epoch: 1,
    activeSince: 0,
    startedAt: '2025-01-01T00:00:00.000Z',
    version: '0.1.0',
    apiUrl: '',
    license: { state: 'missing' },
    pairing,
    ...overrides,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('misconfiguration: said in the status and recorded once per cause', () => {
  const cause = 'both nodes run as backup: a pair is one master and one backup';

  it('misconfiguration: a refused hello is shown and recorded once, however often the re-dial meets it', () => {
    const { checks, recorded } = setup('backup');
    for (let redial = 0; redial < 5; redial++) {
      checks.linkState('connecting', 'dialing wss://10.0.0.7:8099/peer');
      checks.helloRefused(cause);
      checks.linkState('faulted', cause);
    }
    expect(checks.misconfiguration).toBe(cause);
    expect(recorded).toEqual([{ kind: 'misconfiguration', reason: cause }]);
  });

  it('misconfiguration: a link faulted by a connection without a certificate (a scanner) is none', () => {
    const { checks, recorded } = setup('master');
    checks.linkState('faulted', 'peer presented no certificate');
    expect(checks.misconfiguration).toBeNull();
    expect(recorded).toEqual([]);
  });

  it('misconfiguration: another cause is recorded too', () => {
    const { checks, recorded } = setup('master');
    checks.helloRefused(cause);
    checks.helloRefused('both nodes run as master: a pair is one master and one backup');
    expect(recorded).toHaveLength(2);
  });

  it('misconfiguration: a link that comes up clears it; the same cause later is recorded again', () => {
    const { checks, recorded } = setup('backup');
    checks.helloRefused(cause);
    checks.linkState('connected', null);
    expect(checks.misconfiguration).toBeNull();
    checks.helloRefused(cause);
    expect(recorded.map((r) => r.kind)).toEqual(['misconfiguration', 'misconfiguration']);
  });

  it("misconfiguration: the peer presents this node's own certificate", () => {
    const { checks, recorded } = setup('backup');
    checks.certificateSeen(false);
    expect(checks.misconfiguration).toBeNull();
    checks.certificateSeen(true);
    checks.certificateSeen(true);
    expect(checks.misconfiguration).toMatch(/this node's own certificate/);
    expect(recorded).toHaveLength(1);
  });
});

describe("misconfiguration: a backup's failing dial says why", () => {
  it('master refuses connections: after a dial fails, a probe finds out and the link reason says so', async () => {
    const { checks, probes } = setup('backup');
    checks.linkState('connecting', 'dialing wss://10.0.0.7:8099/peer');
    expect(probes).toHaveLength(0); // the first dial is not yet a failure
    checks.linkState('connecting', null);
    await settle();
    expect(probes).toHaveLength(1);
    expect(checks.linkReason(null, null)).toMatch(/^master at 10\.0\.0\.7:8099 refuses connections/);
  });

  it('master refuses connections: probed again every period while the dial keeps failing, and no longer once linked', async () => {
    const { clock, checks, probes } = setup('backup');
    checks.linkState('connecting', null);
    await settle();
    clock.advance(300);
    await settle();
    clock.advance(300);
    await settle();
    expect(probes).toEqual([1_000_000, 1_000_300, 1_000_600]);
    checks.linkState('connected', null);
    expect(checks.linkReason(null, null)).toBeNull();
    clock.advance(3000);
    await settle();
    expect(probes).toHaveLength(3);
  });

  it('master refuses connections: the take-over of a backup that never reached its master says why', async () => {
    const { checks } = setup('backup');
    checks.linkState('connecting', null);
    await settle();
    expect(checks.explain('missed heartbeats', false, null)).toMatch(
      /^missed heartbeats: the master was never reached since this node started \(master at 10\.0\.0\.7:8099 refuses connections/,
    );
    // A master that was there and went silent: missed heartbeats say it all.
    expect(checks.explain('missed heartbeats', true, null)).toBe('missed heartbeats');
  });

  it('misconfiguration: a take-over next to a master that refused the pairing names that cause', () => {
    const { checks } = setup('backup');
    checks.helloRefused('the master is in pair "a", the backup in "b": both need one --name');
    expect(checks.explain('missed heartbeats', false, null)).toBe(
      'missed heartbeats: the master was never reached since this node started ' +
        '(the master is in pair "a", the backup in "b": both need one --name)',
    );
  });

  it('two masters: a master no backup ever reached says that it only waits, and why nobody may come', () => {
    const { checks } = setup('master');
    checks.linkState('disconnected', 'waiting for the backup to connect');
    expect(checks.linkReason('waiting for the backup to connect', 8099)).toBe(
      'no backup has connected to port 8099 since this node started (a backup dials its master; ' +
        'if the other node runs as master too, neither dials)',
    );
    checks.linkState('connected', null);
    checks.linkState('disconnected', 'closed (1006)');
    expect(checks.linkReason('closed (1006)', 8099)).toBe('closed (1006)');
  });
});

describe('settings mismatch: a warning on both nodes', () => {
  it('settings mismatch: shown while the peer differs and recorded once per difference in a run', () => {
    const { checks, recorded } = setup('master');
    const peer = hello({ mode: 'backup', pairing: { ...pairing, pingRateMs: 150, recovery: 'manual' } });
    checks.peerHello(peer, 0);
    checks.peerHello(peer, 0);
    expect(checks.settingsDifferences).toEqual([
      'recovery: automatic here, manual on the peer',
      'ping rate: 100 ms here, 150 ms on the peer',
    ]);
    expect(recorded).toEqual([
      {
        kind: 'settings-mismatch',
        reason:
          "settings differ from the peer's: recovery: automatic here, manual on the peer; ping rate: 100 ms here, 150 ms on the peer",
      },
    ]);
    checks.peerHello(hello({ mode: 'backup' }), 0);
    expect(checks.settingsDifferences).toEqual([]);
  });
});

describe('clock skew: measured, shown, warned about once per crossing', () => {
  it('clock skew: an offset beyond the bound is a warning in the status and one event', () => {
    const { checks, recorded } = setup('master');
    expect(checks.clockSkew).toBeNull();
    checks.offsetMeasured({ offsetMs: HOUR, errorMs: 1, at: 0 });
    checks.offsetMeasured({ offsetMs: HOUR + 3, errorMs: 1, at: 1 });
    expect(checks.clockSkew).toEqual({ offsetMs: HOUR + 3, errorMs: 1, boundMs: 300 });
    expect(recorded).toEqual([
      {
        kind: 'clock-skew',
        reason:
          "the peer's clock is 1 h 00 min 00 s ahead of this node's (± 1 ms), more than the 300 ms bound; " +
          "the pair records by the master's clock",
      },
    ]);
  });

  it('clock skew: back within half the bound ends the warning; crossing again is a new event', () => {
    const { checks, recorded } = setup('backup');
    checks.offsetMeasured({ offsetMs: -HOUR, errorMs: 1, at: 0 });
    checks.offsetMeasured({ offsetMs: 100, errorMs: 1, at: 1 });
    expect(checks.clockSkew).toBeNull();
    checks.offsetMeasured({ offsetMs: -HOUR, errorMs: 1, at: 2 });
    expect(recorded.map((r) => r.reason.slice(0, 44))).toEqual([
      "the peer's clock is 1 h 00 min 00 s behind t",
      "the peer's clock is 1 h 00 min 00 s behind t",
    ]);
  });

  it("pair clock: a backup's records follow the master clock from the hello on, then the heartbeats", () => {
    const { clock, checks } = setup('backup');
    expect(checks.pairClock.now()).toBe(1_000_000);
    checks.peerHello(hello({ at: 1_000_000 - HOUR - 2 }), clock.now());
    expect(checks.pairClock.now()).toBe(1_000_000 - HOUR - 2);
    checks.offsetMeasured({ offsetMs: -HOUR, errorMs: 1, at: 0 });
    clock.advance(10);
    expect(checks.pairClock.now()).toBe(1_000_010 - HOUR);
  });

  it("pair clock: a master's records keep its own clock", () => {
    const { clock, checks } = setup('master');
    checks.peerHello(hello({ mode: 'backup', at: 1_000_000 + HOUR }), clock.now());
    checks.offsetMeasured({ offsetMs: HOUR, errorMs: 1, at: 0 });
    expect(checks.pairClock.now()).toBe(1_000_000);
  });
});
