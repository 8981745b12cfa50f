import { describe, expect, it } from 'vitest';
import { activePeer, config, Harness, standbyPeer, timing } from '../../../test/support/machine-harness.ts';
import { yieldingToPeer } from '../../redundancy/index.ts';
import { estimatedReturnTime, serviceLevel, type NodeHealth } from './service-level.ts';

const healthy: NodeHealth = {
  status: 'active',
  handingOver: false,
  isolationSuspected: false,
  linked: true,
  devices: 4,
  devicesFaulted: 0,
  replicationLagMs: 0,
  lagBoundMs: 1000,
};

describe('Plant interfaces: OPC UA ServiceLevel (active healthy 200-255, standby below 200, 1 isolated or not synchronised, 0 stopping)', () => {
  it.each<[string, Partial<NodeHealth>, number]>([
    ['active, every device answers', {}, 255],
    ['active without devices', { devices: 0 }, 255],
    ['active, 1 of 4 devices faulted', { devicesFaulted: 1 }, 240],
    ['active, 2 of 4 devices faulted', { devicesFaulted: 2 }, 227],
    ['active, every device faulted', { devicesFaulted: 4 }, 200],
    ['active, more faults counted than devices', { devicesFaulted: 9 }, 200],
    ['standby keeping up', { status: 'standby' }, 199],
    ['standby, lag not measured yet', { status: 'standby', replicationLagMs: null }, 199],
    ['standby half the bound behind', { status: 'standby', replicationLagMs: 500 }, 174],
    ['standby at the bound', { status: 'standby', replicationLagMs: 1000 }, 150],
    ['standby far beyond the bound', { status: 'standby', replicationLagMs: 60_000 }, 150],
    ['standby without a link to the active node', { status: 'standby', linked: false }, 1],
    ['starting', { status: 'starting' }, 1],
    ['active but suspects it is isolated', { isolationSuspected: true }, 1],
    ['standby that suspects it is isolated', { status: 'standby', isolationSuspected: true }, 1],
    ['stopping', { status: 'stopping' }, 0],
    ['stood down for the peer, which is not active yet', { status: 'standby', handingOver: true }, 0],
  ])('%s: %i', (_what, change, level) => {
    expect(serviceLevel({ ...healthy, ...change })).toBe(level);
  });

  it('keeps every active node above every standby, whatever the faults and the lag', () => {
    for (let faulted = 0; faulted <= 10; faulted++) {
      for (const lag of [0, 1, 10, 999, 1000, 1e9]) {
        const active = serviceLevel({ ...healthy, devices: 10, devicesFaulted: faulted });
        const standby = serviceLevel({ ...healthy, status: 'standby', replicationLagMs: lag });
        expect(active).toBeGreaterThanOrEqual(200);
        expect(standby).toBeLessThan(200);
        expect(standby).toBeGreaterThanOrEqual(150);
      }
    }
  });

  it('falls as replication lags, never rises', () => {
    let last = 255;
    for (let lag = 0; lag <= 2000; lag += 50) {
      const level = serviceLevel({ ...healthy, status: 'standby', replicationLagMs: lag });
      expect(level).toBeLessThanOrEqual(last);
      last = level;
    }
  });
});

describe('Plant interfaces: OPC UA EstimatedReturnTime', () => {
  it('a node of a pair handing over expects to be back within the failover time, fixed when the hand-over starts; otherwise not known', () => {
    expect(estimatedReturnTime(true, true, null, 10_000, 600)).toBe(10_600);
    // A heartbeat later the estimate stays where it was.
    expect(estimatedReturnTime(true, true, 10_600, 10_100, 600)).toBe(10_600);
    // The hand-over is over: not known again.
    expect(estimatedReturnTime(false, true, 10_600, 10_700, 600)).toBeNull();
    // An independent node has nobody to hand over to; a stop is not known to be a restart.
    expect(estimatedReturnTime(true, false, null, 10_000, 600)).toBeNull();
    expect(estimatedReturnTime(false, true, null, 10_000, 600)).toBeNull();
  });
});

describe('Plant interfaces: OPC UA ServiceLevel through a switch-over and a clean stop (the real machine)', () => {
  function levelOf(master: Harness): { level: number; returnAt: number | null } {
    const handing = yieldingToPeer(master.state);
    return {
      level: serviceLevel({ ...healthy, status: master.state.status, handingOver: handing }),
      returnAt: estimatedReturnTime(handing, true, null, master.now, timing.failoverTimeMs),
    };
  }

  it('the master an operator moved the pair away from is at 0 (Maintenance), back by the failover time, until the backup says it is active; then it is a standby', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    expect(levelOf(master)).toEqual({ level: 255, returnAt: null });

    master.send({ type: 'handover-request', reason: 'operator request' });
    expect(master.state.status).toBe('standby');
    expect(levelOf(master)).toEqual({ level: 0, returnAt: master.now + timing.failoverTimeMs });

    master.send({ type: 'peer-state', peer: activePeer(2, master.now) });
    expect(levelOf(master)).toEqual({ level: 199, returnAt: null });
  });

  it('a clean stop is at 0 with no return time: whether the node is started again is not known', () => {
    const master = new Harness(config('master'));
    master.send({ type: 'start' });
    master.send({ type: 'link-up', peer: standbyPeer });
    master.send({ type: 'stop-requested' });
    expect(master.state.status).toBe('stopping');
    expect(levelOf(master)).toEqual({ level: 0, returnAt: null });
  });
});
