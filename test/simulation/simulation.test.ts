import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { initialState, transition, type MachineEvent } from '../../node-core/redundancy/machine.ts';
import { addDataCoverage, emptyDataCoverage, type PortsOverride } from './data-layer.ts';
import { tagDefinition, type DataScript, type ScheduledOp } from './data-scenario.ts';
import { DELAYS, randomScenario, scriptedScenario, type Fault, type ScriptSpec } from './scenario.ts';
import {
  addCoverage,
  emptyCoverage,
  replayCommand,
  runDataScenario,
  runScenario,
  Simulation,
  type DriverOverride,
  type MachineUnderTest,
} from './simulator.ts';

const SEEDS = 2000;
/** Data seeds are ten times dearer (two SQLite databases, real DataServices); `npm run sim` runs many more. */
const DATA_SEEDS = 200;

const crash = (node: 'master' | 'backup', restartAfterMs: number | null, silent = false): Fault => ({
  kind: 'crash',
  node,
  restartAfterMs,
  silent,
});

function simulate(spec: ScriptSpec, machine?: MachineUnderTest): Simulation {
  const sim = new Simulation(scriptedScenario(spec), machine ? { machine } : {});
  sim.runUntil(spec.durationMs);
  return sim;
}

function becameActive(sim: Simulation, node: 'master' | 'backup', afterMs = 0) {
  return sim.history.find((c) => c.node === node && c.to === 'active' && c.atMs >= afterMs);
}

describe('deterministic simulation: random seeds', () => {
  it(`${SEEDS} seeds keep every invariant`, () => {
    const started = performance.now();
    const failures: string[] = [];
    const coverage = emptyCoverage();
    let steps = 0;
    let failovers = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = runScenario(randomScenario(seed));
      steps += result.steps;
      failovers += result.failovers;
      addCoverage(coverage, result.coverage);
      const f = result.failure;
      if (f) {
        failures.push(
          `seed ${seed}: invariant (${f.invariant}) at ${(f.atMs / 1000).toFixed(3)}s: ${f.message}\n  replay: ${replayCommand(seed)}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `simulation: ${SEEDS} seeds, ${steps} steps, ${failovers} failovers in ${seconds.toFixed(1)} s (${(SEEDS / seconds).toFixed(0)} seeds/s)`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    // A green run means something only if every invariant had work to do.
    expect(coverage.isolatedActive).toBeGreaterThan(100);
    expect(coverage.takeOvers).toBeGreaterThan(1000);
    expect(coverage.settledAutomatic).toBeGreaterThan(10_000);
    expect(coverage.settled).toBeGreaterThan(10_000);
    expect(coverage.becameActive).toBeGreaterThan(1000);
    expect(coverage.stops).toBeGreaterThan(100);
    expect(coverage.splitBrains).toBeGreaterThan(1000);
    expect(coverage.orderedSplitsHealed).toBeGreaterThan(50);
  });

  it('replays a seed exactly', () => {
    const traces: string[][] = [[], []];
    const results = traces.map((lines) =>
      runScenario(randomScenario(4242), { trace: (line) => lines.push(line), traceHeartbeats: true }),
    );
    expect(results[1]).toEqual(results[0]);
    expect(traces[1]).toEqual(traces[0]);
    expect(traces[0]?.length).toBeGreaterThan(100);
  });
});

describe('deterministic simulation: named scenarios', () => {
  it('kill master → backup active within bound', () => {
    const sim = simulate({ durationMs: 8000, faults: [{ at: 4000, fault: crash('master', null) }] });
    expect(sim.failure).toBeNull();
    expect(sim.status('master')).toBe('down');
    expect(sim.status('backup')).toBe('active');
    const takeOver = becameActive(sim, 'backup');
    expect(takeOver?.reason).toBe('missed heartbeats');
    const { pingRateMs, failoverTimeMs } = sim.scenario.pair.timing;
    const after = (takeOver?.atMs ?? Infinity) - 4000;
    // Rule 3: not before the failover time since the last answered heartbeat (at most one ping and a round trip
    // before the crash), and within the bound of invariant (b).
    expect(after).toBeGreaterThanOrEqual(failoverTimeMs - pingRateMs - 2 * DELAYS.frameMaxMs);
    expect(after).toBeLessThanOrEqual(DELAYS.linkDownMaxMs + sim.bounds.takeOverMs);
  });

  it('master loses power (no connection reset) → backup notices by heartbeats and takes over', () => {
    const sim = simulate({ durationMs: 8000, faults: [{ at: 4000, fault: crash('master', null, true) }] });
    expect(sim.failure).toBeNull();
    expect(sim.recorded.find((r) => r.node === 'backup' && r.event.kind === 'peer-lost')?.event.reason).toBe(
      'missed heartbeats',
    );
    const after = (becameActive(sim, 'backup')?.atMs ?? Infinity) - 4000;
    expect(after).toBeLessThanOrEqual(sim.bounds.noticeSilenceMs + sim.bounds.takeOverMs);
  });

  it('split brain heals to exactly one active, and the dual-active time is recorded', () => {
    const sim = simulate({
      recovery: 'manual',
      durationMs: 12_000,
      faults: [{ at: 3000, fault: { kind: 'link-cut', durationMs: 3000 } }],
    });
    expect(sim.failure).toBeNull();
    const result = sim.result();
    expect(result.maxDualActiveMs).toBeGreaterThan(1000);
    // Manual recovery: the node that was active without interruption stays, the master when only the link broke.
    expect(sim.status('master')).toBe('active');
    expect(sim.status('backup')).toBe('standby');
    const split = sim.recorded.find((r) => r.event.kind === 'split-brain');
    expect(split?.node).toBe('backup');
    expect(split?.event.reason).toBe('partition healed');
    expect(Math.abs((split?.event.durationMs ?? 0) - result.maxDualActiveMs)).toBeLessThanOrEqual(
      2 * DELAYS.frameMaxMs,
    );
  });

  it('frames lost one way → both active for a while, then exactly one again', () => {
    const sim = simulate({
      durationMs: 10_000,
      faults: [{ at: 3000, fault: { kind: 'one-way-loss', from: 'master', durationMs: 2500 } }],
    });
    expect(sim.failure).toBeNull();
    expect(sim.result().maxDualActiveMs).toBeGreaterThan(0);
    expect(sim.status('master')).toBe('active');
    expect(sim.status('backup')).toBe('standby');
  });

  it('isolation check: a partitioned active master steps down, the backup takes over, never two active', () => {
    const sim = simulate({
      isolationCheck: true,
      durationMs: 12_000,
      faults: [{ at: 3000, fault: { kind: 'partition', node: 'master', durationMs: 4000 } }],
    });
    expect(sim.failure).toBeNull();
    expect(sim.result().maxDualActiveMs).toBe(0);
    const stepDown = sim.history.find((c) => c.node === 'master' && c.from === 'active');
    expect(stepDown?.reason).toBe('isolated');
    expect((stepDown?.atMs ?? Infinity) - 3000).toBeLessThanOrEqual(sim.bounds.dualActiveMs);
    expect(becameActive(sim, 'backup')?.reason).toBe('missed heartbeats');
    // Healed, and with automatic recovery the master takes back.
    expect(becameActive(sim, 'master', 7000)?.reason).toBe('automatic recovery');
    expect(sim.status('master')).toBe('active');
  });

  it('isolation check: a partitioned backup does not take over', () => {
    const sim = simulate({
      isolationCheck: true,
      durationMs: 10_000,
      faults: [{ at: 3000, fault: { kind: 'partition', node: 'backup', durationMs: 4000 } }],
    });
    expect(sim.failure).toBeNull();
    expect(becameActive(sim, 'backup')).toBeUndefined();
    expect(sim.status('master')).toBe('active');
  });

  it('automatic recovery: the returning master pulls, then takes over in a coordinated hand-over', () => {
    const sim = simulate({ durationMs: 10_000, faults: [{ at: 3000, fault: crash('master', 2000) }] });
    expect(sim.failure).toBeNull();
    const back = becameActive(sim, 'master', 5000);
    expect(back?.reason).toBe('automatic recovery');
    expect((back?.atMs ?? Infinity) - 5000).toBeLessThanOrEqual(sim.bounds.settleMs);
    expect(sim.status('backup')).toBe('standby');
    // The epoch grew with each change of the active node.
    expect(sim.epoch('master')).toBe(3);
  });

  it('manual recovery: the returning master stays standby until the operator asks', () => {
    const sim = simulate({
      recovery: 'manual',
      durationMs: 12_000,
      faults: [
        { at: 3000, fault: crash('master', 2000) },
        { at: 10_000, fault: { kind: 'switchover', node: 'master' } },
      ],
    });
    expect(sim.failure).toBeNull();
    const masterChanges = sim.history.filter((c) => c.node === 'master' && c.atMs >= 5000);
    expect(masterChanges.map((c) => `${c.to}: ${c.reason}`)).toEqual([
      'standby: manual recovery: backup is active',
      'active: operator request',
    ]);
    expect(masterChanges[1]?.atMs).toBeLessThanOrEqual(10_000 + 2 * DELAYS.frameMaxMs);
    expect(sim.status('backup')).toBe('standby');
  });

  it('restore window: the master waits, then takes over by itself when the window opens', () => {
    // A window opens every minute for 15 s; the run starts 40 s before one.
    const minute = 60_000;
    const startTime = Math.ceil(1_735_689_600_000 / minute) * minute + 20_000;
    const sim = simulate({
      recovery: 'window',
      restoreWindow: { cron: '* * * * *', lengthMs: 15_000 },
      startTime,
      durationMs: 45_000,
      faults: [{ at: 3000, fault: crash('master', 2000) }],
    });
    expect(sim.failure).toBeNull();
    const changes = sim.history.filter((c) => c.node === 'master' && c.atMs >= 5000);
    expect(changes.map((c) => `${c.to}: ${c.reason}`)).toEqual([
      'standby: waiting for restore window',
      'active: restore window',
    ]);
    expect(changes[1]?.atMs).toBeGreaterThanOrEqual(40_000);
    expect(changes[1]?.atMs).toBeLessThanOrEqual(40_000 + sim.bounds.settleMs);
  });

  it('clean stop of the active master hands over at once', () => {
    const sim = simulate({
      durationMs: 6000,
      faults: [{ at: 3000, fault: { kind: 'stop', node: 'master', restartAfterMs: null } }],
    });
    expect(sim.failure).toBeNull();
    const takeOver = becameActive(sim, 'backup');
    expect(takeOver?.reason).toBe('clean hand-over');
    expect((takeOver?.atMs ?? Infinity) - 3000).toBeLessThanOrEqual(DELAYS.frameMaxMs);
    expect(sim.status('master')).toBe('down');
  });

  for (const [recovery, skewMs] of [
    ['manual', 3_600_000],
    ['manual', -3_600_000],
    ['automatic', 3_600_000],
    ['automatic', -3_600_000],
  ] as const) {
    it(`split brain, ${recovery} recovery, the backup's clock an hour ${skewMs > 0 ? 'ahead' : 'behind'}: the dual-active time recorded is the real one`, () => {
      const sim = simulate({
        recovery,
        durationMs: 12_000,
        clockSkewMs: { backup: skewMs },
        faults: [{ at: 3000, fault: { kind: 'link-cut', durationMs: 3000 } }],
      });
      expect(sim.failure).toBeNull();
      expect([sim.status('master'), sim.status('backup')].filter((s) => s === 'active')).toHaveLength(1);
      const split = sim.recorded.find((r) => r.event.kind === 'split-brain');
      const dualActiveMs = sim.result().maxDualActiveMs;
      expect(dualActiveMs).toBeGreaterThan(1000);
      // Read on unconverted clocks it was an hour off, and negative on the side whose peer is ahead.
      expect(split?.event.durationMs).toBeGreaterThanOrEqual(0);
      expect(Math.abs((split?.event.durationMs ?? 0) - dualActiveMs)).toBeLessThanOrEqual(
        2 * DELAYS.frameMaxMs,
      );
    });
  }

  it('a backup clock that is far off changes nothing', () => {
    const sim = simulate({
      recovery: 'manual',
      durationMs: 12_000,
      clockSkewMs: { backup: -1400 },
      faults: [{ at: 3000, fault: { kind: 'link-cut', durationMs: 3000 } }],
    });
    expect(sim.failure).toBeNull();
    expect(sim.status('master')).toBe('active');
    expect(sim.status('backup')).toBe('standby');
  });
});

describe('deterministic simulation: the invariants catch a broken machine', () => {
  const wrap = (change: (event: MachineEvent) => MachineEvent): MachineUnderTest => ({
    initialState,
    transition: (state, event, now) => transition(state, change(event), now),
  });

  it('(a) a machine that believes every isolation probe keeps two nodes active', () => {
    const sim = simulate(
      {
        isolationCheck: true,
        durationMs: 10_000,
        faults: [{ at: 3000, fault: { kind: 'partition', node: 'master', durationMs: 4000 } }],
      },
      wrap((e) => (e.type === 'isolation-probed' ? { ...e, reachable: true } : e)),
    );
    expect(sim.failure?.invariant).toBe('a');
  });

  it('(b) a standby that sleeps through its heartbeat ticks never takes over', () => {
    const sim = simulate(
      { durationMs: 8000, faults: [{ at: 3000, fault: crash('master', null) }] },
      {
        initialState,
        transition: (state, event, now) =>
          event.type === 'tick' && state.status === 'standby'
            ? { state, effects: [], wakeAt: now + state.config.timing.pingRateMs }
            : transition(state, event, now),
      },
    );
    expect(sim.failure?.invariant).toBe('b');
  });

  it('(c) a machine that never finishes pulling never takes back', () => {
    const sim = simulate(
      { durationMs: 10_000, faults: [{ at: 3000, fault: crash('master', 2000) }] },
      wrap((e) => (e.type === 'sync-complete' ? { type: 'tick' } : e)),
    );
    expect(sim.failure?.invariant).toBe('c');
  });

  it('(f) a machine that throws is reported with the event, not crashed', () => {
    const sim = simulate(
      {
        durationMs: 6000,
        faults: [{ at: 3000, fault: { kind: 'stop', node: 'backup', restartAfterMs: null } }],
      },
      {
        initialState,
        transition: (state, event, now) => {
          if (event.type === 'goodbye') throw new Error('boom');
          return transition(state, event, now);
        },
      },
    );
    expect(sim.failure?.invariant).toBe('f');
    expect(sim.failure?.message).toContain('goodbye');
  });
});

describe('deterministic simulation: the invariants catch a broken driver', () => {
  function simulateWith(spec: ScriptSpec, driverPorts: DriverOverride): Simulation {
    const sim = new Simulation(scriptedScenario(spec), { driverPorts });
    sim.runUntil(spec.durationMs);
    return sim;
  }

  it('(a) a driver that skips the isolation probe and says the host answers keeps two nodes active', () => {
    const sim = simulateWith(
      {
        isolationCheck: true,
        durationMs: 10_000,
        faults: [{ at: 3000, fault: { kind: 'partition', node: 'master', durationMs: 4000 } }],
      },
      (ports) => ({ ...ports, probeIsolation: (answer) => answer(true) }),
    );
    expect(sim.failure?.invariant).toBe('a');
  });

  it('(e) a driver that does not wait for the hand-over ack makes two nodes active on a good link', () => {
    const sim = simulateWith(
      {
        durationMs: 8000,
        faults: [{ at: 4000, fault: { kind: 'switchover', node: 'backup' } }],
      },
      (ports, _node, dispatch) => ({
        ...ports,
        send: (frame) => {
          ports.send(frame);
          if (frame.t === 'handover-request') dispatch({ type: 'handover-ack' });
        },
      }),
    );
    expect(sim.failure?.invariant).toBe('e');
  });

  it('(b) a driver that never drops a silent link keeps a standby from taking over', () => {
    const sim = simulateWith(
      { durationMs: 8000, faults: [{ at: 3000, fault: crash('master', null, true) }] },
      (ports) => ({ ...ports, dropLink: () => undefined }),
    );
    expect(sim.failure?.invariant).toBe('b');
  });
});

describe('deterministic simulation: the data layer, random seeds', () => {
  it(`${DATA_SEEDS} data seeds keep every invariant`, { timeout: 180_000 }, async () => {
    const started = performance.now();
    const failures: string[] = [];
    const coverage = emptyDataCoverage();
    for (let seed = 1; seed <= DATA_SEEDS; seed++) {
      const result = await runDataScenario(randomScenario(seed));
      if (result.data) addDataCoverage(coverage, result.data);
      const f = result.failure;
      if (f) {
        failures.push(
          `seed ${seed}: invariant (${f.invariant}) at ${(f.atMs / 1000).toFixed(3)}s: ${f.message}\n  replay: ${replayCommand(seed, 'data')}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `simulation (data): ${DATA_SEEDS} seeds, ${coverage.ops} client calls in ${seconds.toFixed(1)} s (${(DATA_SEEDS / seconds).toFixed(1)} seeds/s)`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    // Every invariant had work to do: settled runs to check at the end, answers to hold against the peer,
    // acknowledged changes of a split merged by key and some that conflicted, alarms acknowledged, uids
    // repeated and executed again.
    expect(coverage.settledRuns).toBeGreaterThan(DATA_SEEDS * 0.9);
    expect(coverage.durableAnswersChecked).toBeGreaterThan(2000);
    expect(coverage.configMerged).toBeGreaterThan(300);
    expect(coverage.configInConflictSet).toBeGreaterThan(50);
    expect(coverage.ackedOccurrences).toBeGreaterThan(300);
    expect(coverage.commandsRepeated).toBeGreaterThan(1000);
    expect(coverage.reExecutedAcrossPair).toBeGreaterThan(20);
    expect(coverage.fullResyncs).toBeGreaterThan(100);
  });

  it('replays a data seed exactly', async () => {
    const traces: string[][] = [[], []];
    const results = [];
    for (const lines of traces) {
      results.push(await runDataScenario(randomScenario(4242), { trace: (line) => lines.push(line) }));
    }
    expect(results[1]).toEqual(results[0]);
    expect(traces[1]).toEqual(traces[0]);
    expect(traces[0]?.filter((line) => line.includes('client #')).length).toBeGreaterThan(50);
  });
});

function op(at: number, first: 'master' | 'backup', o: ScheduledOp['op'], repeat = false): ScheduledOp {
  return { at, first, op: o, repeat };
}

const device = (host: string): object => ({
  protocol: 'modbus-tcp',
  host,
  port: 502,
  unitId: 1,
  pollRateMs: 1000,
  timeoutMs: 500,
});

async function simulateData(
  spec: ScriptSpec,
  ops: readonly ScheduledOp[],
  dataPorts?: PortsOverride,
): Promise<Simulation> {
  const script: DataScript = { ops, answerLossRate: 0 };
  const sim = new Simulation(
    scriptedScenario(spec),
    dataPorts ? { data: script, dataPorts } : { data: script },
  );
  await sim.runAsync();
  return sim;
}

/** A link cut for 3 s with manual recovery: the backup takes over, both are active, the master stays. */
const split: ScriptSpec = {
  recovery: 'manual',
  durationMs: 12_000,
  faults: [{ at: 3000, fault: { kind: 'link-cut', durationMs: 3000 } }],
};
const splitOps = [
  op(2000, 'master', { kind: 'put', configKind: 'tag', key: 'T0', definition: tagDefinition('t') }),
  op(4500, 'master', { kind: 'put', configKind: 'device', key: 'D0', definition: device('10.0.0.1') }),
  op(4600, 'backup', { kind: 'put', configKind: 'device', key: 'D1', definition: device('10.0.0.2') }),
  op(4650, 'backup', { kind: 'put', configKind: 'device', key: 'D0', definition: device('10.0.0.3') }),
  op(4700, 'backup', { kind: 'write', tag: 'T0', value: 7, uid: 'w1' }),
];

/** A config change every 40 ms, each to a tag of its own, sent first to the node given. */
function steadyPuts(from: number, to: number, first: 'master' | 'backup'): ScheduledOp[] {
  const ops: ScheduledOp[] = [];
  for (let at = from, i = 0; at < to; at += 40, i++)
    ops.push(
      op(at, first, { kind: 'put', configKind: 'tag', key: `K${i}`, definition: tagDefinition(`k${i}`) }),
    );
  return ops;
}

/** Every put answered with success is in effect on both nodes, and nothing waits in the conflict set. */
function everyAcknowledgedPutOnBoth(sim: Simulation): number {
  let acknowledged = 0;
  for (const call of sim.data?.calls() ?? []) {
    if (call.op.kind !== 'put' || call.outcome?.ok !== true) continue;
    acknowledged++;
    for (const node of ['master', 'backup'] as const)
      expect(
        sim.data?.service(node)?.config.get(call.op.configKind, call.op.key),
        `${call.op.key} on ${node}`,
      ).toEqual(call.op.definition);
  }
  for (const node of ['master', 'backup'] as const)
    expect(sim.data?.service(node)?.config.conflicts.list()).toEqual([]);
  return acknowledged;
}

describe('deterministic simulation: the data layer, named scenarios', () => {
  it('Data: a hand-over, a restart or a failover without a split never moves a change into the conflict set (switch-overs and clean restarts under writers)', async () => {
    const sim = await simulateData(
      {
        durationMs: 14_000,
        faults: [
          { at: 2500, fault: { kind: 'switchover', node: 'backup' } },
          { at: 4000, fault: { kind: 'switchover', node: 'master' } },
          { at: 5500, fault: { kind: 'stop', node: 'master', restartAfterMs: 500 } },
          { at: 8000, fault: { kind: 'switchover', node: 'master' } },
          { at: 9500, fault: { kind: 'stop', node: 'backup', restartAfterMs: 500 } },
        ],
      },
      [...steadyPuts(2000, 6000, 'master'), ...steadyPuts(6000, 11_000, 'backup')].map((o, i) => ({
        ...o,
        op: o.op.kind === 'put' ? { ...o.op, key: `K${i}` } : o.op,
      })),
    );
    try {
      expect(sim.failure).toBeNull();
      expect(everyAcknowledgedPutOnBoth(sim)).toBeGreaterThan(150);
      // Nothing diverged: every hand-over left the new active node holding what the old one had.
      expect(sim.data?.coverage.fullResyncs).toBe(0);
    } finally {
      sim.data?.dispose();
    }
  });

  it('Partitions: data is merged by key, not by role (the master is cut off, the backup takes over and changes config, the master wins the heal; the backup’s changes stay)', async () => {
    const sim = await simulateData(
      {
        durationMs: 14_000,
        // As when the master's process is frozen past the failover time: the backup hears nothing and takes
        // over; the master still believes it is active, and wins when the pair meets again.
        faults: [{ at: 3000, fault: { kind: 'link-cut', durationMs: 3000 } }],
      },
      [...steadyPuts(2000, 9000, 'backup')],
    );
    try {
      expect(sim.failure).toBeNull();
      expect(sim.status('master')).toBe('active');
      expect(sim.history.some((h) => h.node === 'backup' && h.to === 'active')).toBe(true);
      expect(everyAcknowledgedPutOnBoth(sim)).toBeGreaterThan(100);
    } finally {
      sim.data?.dispose();
    }
  });

  it('Partitions: after a split the winner’s changes apply, the loser’s merge by key, and only a key changed on both sides is a conflict', async () => {
    const sim = await simulateData(split, splitOps);
    try {
      expect(sim.failure).toBeNull();
      expect(sim.status('master')).toBe('active');
      // The client reached each side of the split and was answered by the node active there.
      expect(sim.data?.calls().map((c) => c.outcome?.node)).toEqual([
        'master',
        'master',
        'backup',
        'backup',
        'backup',
      ]);
      for (const node of ['master', 'backup'] as const) {
        const data = sim.data?.service(node);
        expect(data?.config.get('device', 'D0')).toMatchObject({ host: '10.0.0.1' });
        expect(data?.config.get('device', 'D1')).toMatchObject({ host: '10.0.0.2' });
        expect(data?.config.conflicts.list().map((c) => `${c.op} ${c.kind} ${c.key} ${c.origin}`)).toEqual([
          'put device D0 sim-backup',
        ]);
        // Runtime data flows both ways: the write made on the backup during the split is kept.
        expect(data?.runtime.get('T0')?.value).toBe(7);
        expect(data?.runtime.ledgerEntry('w1')).toBeDefined();
      }
    } finally {
      sim.data?.dispose();
    }
  });

  it('Commands: a write answered with the peer connected survives the loss of its node; a retry of its uid on the other node answers the first result', async () => {
    const sim = await simulateData(
      { durationMs: 8000, faults: [{ at: 3500, fault: crash('master', null) }] },
      [
        op(2000, 'master', { kind: 'put', configKind: 'tag', key: 'T0', definition: tagDefinition('t') }),
        op(3000, 'master', { kind: 'write', tag: 'T0', value: 42, uid: 'w1' }),
        op(6000, 'backup', { kind: 'write', tag: 'T0', value: 42, uid: 'w1' }, true),
      ],
    );
    try {
      expect(sim.failure).toBeNull();
      expect(sim.status('backup')).toBe('active');
      const [, first, retry] = sim.data?.calls() ?? [];
      expect(first?.outcome).toMatchObject({ node: 'master', ok: true, value: { executed: true } });
      expect(retry?.outcome).toMatchObject({
        node: 'backup',
        ok: true,
        value: { ok: true, executed: false },
      });
      expect(sim.data?.service('backup')?.runtime.get('T0')?.value).toBe(42);
    } finally {
      sim.data?.dispose();
    }
  });
});

describe('deterministic simulation: the data invariants catch a broken data layer', () => {
  it('(h) a DataService that answers before the standby stored the change', async () => {
    const sim = await simulateData(
      { durationMs: 4000 },
      [op(2000, 'master', { kind: 'put', configKind: 'tag', key: 'T0', definition: tagDefinition('t') })],
      (_node, ports) => ({ ...ports, linked: () => false }),
    );
    sim.data?.dispose();
    expect(sim.failure?.invariant).toBe('h');
  });

  it('(m) runtime data that never reaches the peer', async () => {
    const sim = await simulateData(split, splitOps, (node, ports) =>
      node === 'backup' ? { ...ports, send: (f) => (f.t === 'runtime' ? undefined : ports.send(f)) } : ports,
    );
    sim.data?.dispose();
    expect(sim.failure?.invariant).toBe('m');
  });
});
