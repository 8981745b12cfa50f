import { describe, expect, it, vi } from 'vitest';
import { failoverEvent, FakeApi, NOW, problem, statusView } from '../test/fixtures.ts';
import { PairWatch } from './pair-watch.svelte.ts';

function watch(ownAnswering: { value: boolean }) {
  const partner = new FakeApi();
  let tick: (() => void) | null = null;
  let now = NOW;
  const pair = new PairWatch('http://10.0.0.2:8088', partner, () => ownAnswering.value, {
    pollMs: 2000,
    now: () => now,
    setInterval: (callback) => ((tick = callback), 1),
    clearInterval: vi.fn(),
  });
  return { partner, pair, tick: () => tick?.(), advance: (ms: number) => (now += ms) };
}

describe('PairWatch', () => {
  it('reads the partner’s status every poll; its history only while this node does not answer', async () => {
    const own = { value: true };
    const { partner, pair } = watch(own);
    await pair.poll();
    expect(pair.reading?.status.node.mode).toBe('master');
    expect(partner.events).not.toHaveBeenCalled();

    own.value = false;
    const takeover = failoverEvent({ nodeId: 'node-bbbb' });
    partner.events.mockResolvedValue([takeover]);
    await pair.poll();
    expect(partner.events).toHaveBeenCalledWith({ limit: 20 });
    expect(pair.reading?.events).toEqual([takeover]);
  });

  it('keeps the last answer, with its time, when the partner stops answering too', async () => {
    const { partner, pair, advance } = watch({ value: false });
    await pair.poll();
    const firstAt = pair.reading!.at;
    partner.status.mockRejectedValue(problem());
    advance(5000);
    await pair.poll();
    expect(pair.problem?.code).toBe('UNREACHABLE');
    expect(pair.reading?.at).toBe(firstAt);
  });

  it('asks again on its own every poll after start, until stopped', async () => {
    const { partner, pair, tick } = watch({ value: true });
    pair.start();
    await vi.waitFor(() => expect(pair.reading).not.toBeNull());
    expect(partner.status).toHaveBeenCalledTimes(1);
    partner.status.mockResolvedValue(statusView({ node: { status: 'standby' } }));
    tick();
    await vi.waitFor(() => expect(partner.status).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(pair.reading?.status.node.status).toBe('standby'));
    pair.stop();
  });
});
