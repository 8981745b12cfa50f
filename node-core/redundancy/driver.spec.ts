import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { activePeer, config, standbyPeer, timing } from '../../test/support/machine-harness.ts';
import { RedundancyDriver, type DriverPorts } from './driver.ts';
import type { Frame } from './machine.ts';
import type { RedundancyConfig } from './types.ts';

const ISOLATION_HOST = { host: '10.0.0.254', port: 502 };

/** A driver on a manual clock whose ports write down every call, in order; `ports` overrides some. */
function driverWith(cfg: RedundancyConfig, ports: Partial<DriverPorts> = {}, storedEpoch = 0) {
  const clock = new ManualClock(1_000_000);
  const calls: string[] = [];
  const sent: { at: number; frame: Frame }[] = [];
  const probes: ((reachable: boolean) => void)[] = [];
  const fake: DriverPorts = {
    statusChanged: (status, epoch, reason) => calls.push(`status ${status} e${epoch} (${reason})`),
    epochLearned: (epoch) => calls.push(`epoch ${epoch}`),
    send: (frame) => {
      calls.push(`send ${frame.t}`);
      sent.push({ at: clock.now(), frame });
    },
    dropLink: () => calls.push('drop-link'),
    record: (event) => calls.push(`record ${event.kind} (${event.reason})`),
    pullFromPeer: () => calls.push('pull'),
    mergeSplitChanges: () => calls.push('merge'),
    probeIsolation: (answer) => {
      calls.push('probe');
      probes.push(answer);
    },
    stopped: () => calls.push('stopped'),
    ...ports,
  };
  const driver = new RedundancyDriver(cfg, storedEpoch, clock, fake);
  const pings = (): number[] => sent.filter((s) => s.frame.t === 'ping').map((s) => s.at - 1_000_000);
  return { driver, clock, calls, sent, probes, pings };
}

describe('RedundancyDriver', () => {
  it('wakes the machine on its clock: a master alone becomes active after the connection wait, not before', () => {
    const { driver, clock, calls } = driverWith(config('master'), {}, 4);
    driver.start();
    clock.advance(timing.connectionWaitMs - 1);
    expect(driver.state.status).toBe('starting');
    clock.advance(1);
    expect(driver.state.status).toBe('active');
    // The epoch is handed over to be persisted before the state frame announces it.
    expect(calls.filter((c) => c.startsWith('status') || c === 'send state')).toEqual([
      'status active e5 (no backup within connection wait)',
      'send state',
    ]);
    expect(calls).toContain('record role-change (no backup within connection wait)');
  });

  it('hands a higher epoch heard from the peer over to be persisted', () => {
    const { driver, calls } = driverWith(config('backup'), {}, 2);
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(7, 0) });
    expect(calls).toContain('epoch 7');
    expect(driver.state.epoch).toBe(7);
  });

  it('sends heartbeats at the ping rate while linked, on its clock', () => {
    const { driver, clock, pings } = driverWith(config('backup'));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    clock.advance(5 * timing.pingRateMs);
    expect(pings()).toEqual([100, 200, 300, 400, 500]);
  });

  it('drops a link whose heartbeats go unanswered and takes over at the last missed one', () => {
    const { driver, clock, calls } = driverWith(config('backup'));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    // Pings at 100, 200, 300, each missed a ping timeout later: the third at 400.
    const thirdMissedAt = timing.missedPings * timing.pingRateMs + timing.pingTimeoutMs;
    clock.advance(thirdMissedAt - 1);
    expect(calls).not.toContain('drop-link');
    expect(driver.state.status).toBe('standby');
    clock.advance(1);
    expect(calls).toContain('drop-link');
    expect(driver.state.status).toBe('active');
    expect(calls).toContain('record role-change (missed heartbeats)');
  });

  it('asks the isolation host before it takes over, one probe at a time, and acts on the answer', () => {
    const { driver, clock, calls, probes } = driverWith(config('backup', { isolationCheck: ISOLATION_HOST }));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    driver.dispatch({ type: 'link-down' });
    clock.advance(timing.failoverTimeMs * 3);
    // Every missed heartbeat asks, but only one probe is in flight; without an answer it does not take over.
    expect(calls.filter((c) => c === 'probe')).toHaveLength(1);
    expect(driver.state.status).toBe('standby');
    probes[0]?.(false);
    expect(driver.state.status).toBe('standby');
    clock.advance(timing.pingRateMs);
    expect(calls.filter((c) => c === 'probe')).toHaveLength(2);
    probes[1]?.(true);
    // Cut off until now: the master gets a failover time to be heard before the backup takes over.
    expect(driver.state.status).toBe('standby');
    clock.advance(timing.failoverTimeMs);
    expect(driver.state.status).toBe('active');
  });

  it('counts a probe that answers twice once, and a probe that throws as unreachable', () => {
    let calls = 0;
    const { driver, clock } = driverWith(config('backup', { isolationCheck: ISOLATION_HOST }), {
      probeIsolation: (answer) => {
        calls++;
        if (calls === 1) {
          answer(true);
          answer(false);
          return;
        }
        throw new Error('no route');
      },
    });
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    driver.dispatch({ type: 'link-down' });
    clock.advance(timing.pingRateMs);
    expect(driver.state.isolationReachable).toBe(true);
    clock.advance(timing.pingRateMs);
    expect(calls).toBe(2);
    expect(driver.state.isolationReachable).toBe(false);
  });

  it('waits for the peer to acknowledge a switch-over before it becomes active', () => {
    const { driver, clock, calls } = driverWith(config('backup'));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    driver.dispatch({ type: 'switchover-requested' });
    expect(calls).toContain('send handover-request');
    clock.advance(timing.pingTimeoutMs - 1);
    expect(driver.state.status).toBe('standby');
    driver.dispatch({ type: 'handover-ack' });
    expect(driver.state.status).toBe('active');
  });

  it('gives a switch-over up when no acknowledgement comes within the failover time', () => {
    const { driver, clock, calls } = driverWith(config('backup'));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    driver.dispatch({ type: 'switchover-requested' });
    clock.advance(timing.pingTimeoutMs);
    expect(calls).not.toContain('record switchover-failed (operator request: no answer from peer)');
    clock.advance(timing.failoverTimeMs - timing.pingTimeoutMs);
    expect(driver.state.status).toBe('standby');
    expect(calls).toContain('record switchover-failed (operator request: no answer from peer)');
  });

  it('queues events a port raises while effects run, so that one transition ends before the next begins', () => {
    const ref: { driver: RedundancyDriver | null } = { driver: null };
    const { driver, clock, sent } = driverWith(config('master'), {
      // A node told to stop the moment it hears it is active, inside the effects of becoming active.
      statusChanged: (status) => {
        if (status === 'active') ref.driver?.dispatch({ type: 'stop-requested' });
      },
    });
    ref.driver = driver;
    driver.start();
    clock.advance(timing.connectionWaitMs);
    // The peer hears "active", then "stopping": nested, the stop's frame would overtake the first one.
    const states = sent.flatMap((s) => (s.frame.t === 'state' ? [s.frame.status] : []));
    expect(states).toEqual(['active', 'stopping']);
    expect(driver.state.stopped).toBe(true);
  });

  it('stops: no wake-up after the machine stopped, and a late probe answer changes nothing', () => {
    const { driver, clock, calls, probes } = driverWith(config('backup', { isolationCheck: ISOLATION_HOST }));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: activePeer(1, 0) });
    driver.dispatch({ type: 'link-down' });
    clock.advance(timing.pingRateMs);
    expect(calls).toContain('probe');
    driver.dispatch({ type: 'stop-requested' });
    expect(calls.at(-1)).toBe('stopped');
    const before = [...calls];
    probes[0]?.(true);
    clock.advance(60_000);
    expect(calls).toEqual(before);
    expect(driver.state.status).toBe('stopping');
  });

  it('halt cancels the wake-up: no more heartbeats', () => {
    const { driver, clock, pings } = driverWith(config('master'));
    driver.start();
    driver.dispatch({ type: 'link-up', peer: standbyPeer });
    clock.advance(2 * timing.pingRateMs);
    driver.halt();
    clock.advance(10 * timing.pingRateMs);
    expect(pings()).toEqual([100, 200]);
  });
});
