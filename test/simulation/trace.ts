/** How the simulation's trace names what happened: scenarios, faults, machine events and effects. */
import type { Effect, MachineEvent, PeerHello } from '../../node-core/redundancy/machine.ts';
import type { Fault, Scenario } from './scenario.ts';

export function pad(name: string): string {
  return name.padEnd(6);
}

export function describeScenario(s: Scenario): string {
  const t = s.pair.timing;
  const window = s.pair.restoreWindow
    ? ` window '${s.pair.restoreWindow.cron}'/${s.pair.restoreWindow.lengthMs}ms`
    : '';
  return (
    `seed ${s.seed} family ${s.family} recovery ${s.pair.recovery}${window} isolation ${s.pair.isolationCheck ? 'on' : 'off'} ` +
    `ping ${t.pingRateMs} timeout ${t.pingTimeoutMs} missed ${t.missedPings} failover ${t.failoverTimeMs} wait ${t.connectionWaitMs} ` +
    `boot master ${s.boot.master ?? 'never'} backup ${s.boot.backup ?? 'never'} backup clock ${s.clockSkewMs.backup} ms ` +
    `start ${new Date(s.startTime).toISOString()}`
  );
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'crash':
    case 'stop':
      return `${f.kind} ${f.node}${f.restartAfterMs === null ? '' : `, restart after ${f.restartAfterMs} ms`}`;
    case 'link-cut':
      return `link cut for ${f.durationMs} ms`;
    case 'extra-delay':
      return `extra delay up to ${f.maxExtraMs} ms for ${f.durationMs} ms`;
    case 'one-way-loss':
      return `frames from ${f.from} lost for ${f.durationMs} ms`;
    case 'slow-node':
      return `${f.node} slow (up to ${f.maxExtraMs} ms) for ${f.durationMs} ms`;
    case 'partition':
      return `${f.node} cut from peer and isolation host for ${f.durationMs} ms`;
    case 'host-outage':
      return `${f.node} cannot reach the isolation host for ${f.durationMs} ms`;
    case 'switchover':
      return `operator asks ${f.node} for a switch-over`;
    default:
      return assertNever(f);
  }
}

function describeHello(p: PeerHello): string {
  return `${p.status} e${p.epoch}${p.activeSince === null ? '' : ' active'}`;
}

export function describeEvent(e: MachineEvent): string {
  switch (e.type) {
    case 'link-up':
    case 'peer-state':
      return `${e.type}(${describeHello(e.peer)})`;
    case 'pong':
      return `pong ${e.seq}`;
    case 'peer-clock':
      return `peer-clock(${e.offsetMs > 0 ? '+' : ''}${Math.round(e.offsetMs)} ms)`;
    case 'isolation-probed':
      return `isolation-probed(${e.reachable ? 'reachable' : 'unreachable'})`;
    case 'handover-request':
      return `handover-request(${e.reason})`;
    case 'goodbye':
    case 'handover-ack':
    case 'handover-offer':
    case 'link-down':
    case 'peer-unverified':
    case 'start':
    case 'stop-requested':
    case 'switchover-requested':
    case 'sync-complete':
    case 'tick':
      return e.type;
  }
}

export function describeEffect(e: Effect): string {
  switch (e.type) {
    case 'status-changed':
      return `status ${e.status} "${e.reason}"`;
    case 'send': {
      const f = e.frame;
      if (f.t === 'state') return `send state(${f.status} e${f.epoch})`;
      if (f.t === 'handover-request') return `send handover-request(${f.reason})`;
      return `send ${f.t}`;
    }
    case 'record':
      return `record ${e.event.kind}(${e.event.reason}${e.event.durationMs === null ? '' : `, ${e.event.durationMs} ms`})`;
    case 'drop-link':
    case 'epoch-learned':
    case 'merge-split-changes':
    case 'probe-isolation':
    case 'pull-from-peer':
    case 'stopped':
      return e.type;
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
