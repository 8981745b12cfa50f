// The lifecycle the node host and the monitor host share (electron/main/host-lifecycle.ts), against a fake
// runtime whose start and stop the test finishes by hand.
import { describe, expect, it } from 'vitest';
import { HostLifecycle, type HostPhase } from '../../electron/main/host-lifecycle.ts';

class FakeRuntime {
  stops = 0;
  #finishStop: (() => void) | null = null;
  stop(): Promise<void> {
    this.stops += 1;
    return new Promise((resolve) => (this.#finishStop = resolve));
  }
  finishStop(): void {
    this.#finishStop?.();
  }
}

/** A start the test resolves or rejects. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function rig() {
  const phases: string[] = [];
  const log: string[] = [];
  const life: HostLifecycle<FakeRuntime> = new HostLifecycle<FakeRuntime>({
    what: 'node',
    changed: () => phases.push(phaseText(life.phase)),
    attach: () => {
      log.push('attach');
      return () => log.push('detach');
    },
  });
  return { life, phases, log };
}

function phaseText(phase: HostPhase<FakeRuntime>): string {
  return phase.phase === 'failed' ? `failed: ${phase.reason}` : phase.phase;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('HostLifecycle', () => {
  it('starts, attaches before it is running, and refuses a second start while one runs', async () => {
    const { life, phases, log } = rig();
    const runtime = new FakeRuntime();
    const started = pending<FakeRuntime>();
    const start = life.start(() => started.promise);
    await expect(life.start(() => Promise.resolve(new FakeRuntime()))).rejects.toThrow(
      'the node is already starting',
    );
    started.resolve(runtime);
    expect(await start).toBe(runtime);
    expect(life.running).toBe(runtime);
    expect(log).toEqual(['attach']);
    expect(phases).toEqual(['starting', 'running']);
    await expect(life.start(() => Promise.resolve(new FakeRuntime()))).rejects.toMatchObject({
      code: 'BUSY',
      message: 'the node is already running',
    });
  });

  it('fails with the reason and tells it, or goes back quietly on a first run', async () => {
    const { life, phases } = rig();
    const told: string[] = [];
    await expect(
      life.start(() => Promise.reject(new Error('port in use')), { failed: (reason) => told.push(reason) }),
    ).rejects.toThrow('port in use');
    expect(told).toEqual(['the node could not start: port in use']);
    expect(life.running).toBeNull();

    await expect(
      life.start(() => Promise.reject(new Error('bad answer')), {
        quietFailure: 'unconfigured',
        failed: (reason) => told.push(reason),
      }),
    ).rejects.toThrow('bad answer');
    expect(told).toHaveLength(1);
    expect(phases).toEqual([
      'starting',
      'failed: the node could not start: port in use',
      'starting',
      'unconfigured',
    ]);
  });

  it('stops once however often it is asked, detaching first, and waits for a start under way', async () => {
    const { life, phases, log } = rig();
    const runtime = new FakeRuntime();
    const started = pending<FakeRuntime>();
    void life.start(() => started.promise);
    const first = life.stop();
    const second = life.stop();
    started.resolve(runtime);
    await settle();
    expect(runtime.stops).toBe(1);
    expect(log).toEqual(['attach', 'detach']);
    expect(life.phase.phase).toBe('stopping');
    runtime.finishStop();
    await Promise.all([first, second]);
    await life.stop();
    expect(runtime.stops).toBe(1);
    expect(phases).toEqual(['starting', 'running', 'stopping', 'stopped']);
  });

  it('marks a runtime that stopped unasked as failed, but not one that is stopping or gone', async () => {
    const { life, phases, log } = rig();
    const runtime = new FakeRuntime();
    await life.start(() => Promise.resolve(runtime));
    expect(life.failUnasked(new FakeRuntime(), 'not ours')).toBe(false);
    expect(life.failUnasked(runtime, 'the node stopped unexpectedly')).toBe(true);
    expect(log).toEqual(['attach', 'detach']);
    expect(life.running).toBeNull();
    expect(phases.at(-1)).toBe('failed: the node stopped unexpectedly');

    const next = new FakeRuntime();
    await life.start(() => Promise.resolve(next));
    const stopping = life.stop();
    expect(life.failUnasked(next, 'during a stop')).toBe(false);
    next.finishStop();
    await stopping;
    expect(phases.at(-1)).toBe('stopped');
  });
});
