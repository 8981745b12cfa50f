import { describe, expect, it } from 'vitest';
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
    ['active handing over to the peer', { handingOver: true }, 0],
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
