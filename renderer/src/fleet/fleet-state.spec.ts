import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FleetView } from '../../../node-core/monitor/fleet-dto.ts';
import { fleetPair } from './fleet-fixtures.ts';
import { FleetState, type FleetTransport } from './fleet-state.svelte.ts';

/** The part of a browser WebSocket FleetState uses, driven by the test. */
class FakeSocket {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {}
}

const view = (verdict: FleetView['pairs'][number]['verdict']): FleetView => ({
  at: '2025-06-01T03:00:00Z',
  pairs: [fleetPair({ verdict })],
});

let sockets: FakeSocket[];
let fetchFleet: ReturnType<typeof vi.fn<() => Promise<FleetView>>>;
let state: FleetState;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  fetchFleet = vi.fn<() => Promise<FleetView>>();
  const transport: FleetTransport = {
    fetchFleet,
    openLive: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  };
  state = new FleetState(transport, 'the-token', { pollMs: 1000, reconnectMs: 2000, now: () => Date.now() });
  state.start();
});

afterEach(() => {
  state.stop();
  vi.useRealTimers();
});

describe('FleetState', () => {
  it('signs in with the first message, then shows each fleet the monitor pushes', () => {
    sockets[0]!.onopen?.();
    expect(sockets[0]!.sent).toEqual([JSON.stringify({ token: 'the-token' })]);
    sockets[0]!.onmessage?.({ data: JSON.stringify({ type: 'fleet', fleet: view('healthy') }) });
    expect(state.connection).toEqual({ state: 'live' });
    sockets[0]!.onmessage?.({ data: JSON.stringify({ type: 'fleet', fleet: view('failed-over') }) });
    expect(state.fleet?.pairs[0]?.verdict).toBe('failed-over');
  });

  it('the socket lost: polls GET /api/fleet meanwhile, and connects again', async () => {
    fetchFleet.mockResolvedValue(view('down'));
    sockets[0]!.onclose?.({ code: 1006 });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.connection).toEqual({ state: 'polling', problem: null });
    expect(state.fleet?.pairs[0]?.verdict).toBe('down');
    fetchFleet.mockRejectedValue(new Error('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.connection).toEqual({ state: 'polling', problem: 'Failed to fetch' });
    // The last view stays on screen while the monitor cannot be reached.
    expect(state.fleet?.pairs[0]?.verdict).toBe('down');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
  });

  it('a refused token (4401) stops trying and says so', async () => {
    sockets[0]!.onclose?.({ code: 4401 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.connection).toEqual({ state: 'unauthorized' });
    expect(sockets).toHaveLength(1);
    expect(fetchFleet).not.toHaveBeenCalled();
  });
});
