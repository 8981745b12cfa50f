import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FleetView } from '../../../node-core/monitor/fleet-dto.ts';
import FleetApp from './FleetApp.svelte';
import { fleetNode, fleetPair } from './fleet-fixtures.ts';
import { FleetState, type FleetTransport } from './fleet-state.svelte.ts';

const NOW = Date.parse('2025-06-01T03:00:00Z');

function stateWith(view: FleetView): FleetState {
  const transport: FleetTransport = {
    fetchFleet: () => Promise.resolve(view),
    openLive: () => {
      throw new Error('not in this test');
    },
  };
  const state = new FleetState(transport, 'token', { pollMs: 1000, reconnectMs: 1000, now: () => NOW });
  state.fleet = view;
  state.receivedAt = NOW;
  state.connection = { state: 'live' };
  return state;
}

const view: FleetView = {
  at: '2025-06-01T03:00:00Z',
  pairs: [
    fleetPair({ name: 'line-1', site: 'North' }),
    fleetPair({
      name: 'line-2',
      site: 'South',
      verdict: 'failed-over',
      headline: 'Failed over: the backup runs the plant',
      problems: ['master (http://10.0.0.21:8088): connection refused (nothing listens at that address)'],
      activeNode: { index: 1, mode: 'backup', since: '2025-06-01T02:59:30Z' },
      lastFailover: {
        at: '2025-06-01T02:59:30Z',
        reason: 'missed heartbeats',
        durationMs: 3000,
        node: 'backup',
      },
      nodes: [
        fleetNode({
          url: 'http://10.0.0.21:8088',
          answering: false,
          reach: 'unreachable',
          since: '2025-06-01T02:59:28Z',
          problem: 'connection refused',
          stale: true,
        }),
        fleetNode({
          url: 'http://10.0.0.22:8088',
          dashboardUrl: 'http://10.0.0.22:8088/',
          mode: 'backup',
          status: 'active',
        }),
      ],
    }),
  ],
};

describe('FleetApp', () => {
  it('a tile per pair, the most severe first, each with its verdict in words', () => {
    render(FleetApp, { fleet: stateWith(view) });
    const tiles = within(screen.getByRole('region', { name: 'Pairs' })).getAllByRole('article');
    expect(tiles.map((t) => t.getAttribute('aria-label'))).toEqual(['line-2', 'line-1']);
    expect(within(tiles[0]!).getByTestId('verdict')).toHaveTextContent('Failed over');
    expect(within(tiles[0]!).getByTestId('headline')).toHaveTextContent(
      'Failed over: the backup runs the plant',
    );
    expect(tiles[0]).toHaveTextContent('Backup since 2025-06-01');
    expect(tiles[0]).toHaveTextContent('missed heartbeats, 3.0 s');
    expect(tiles[0]).toHaveTextContent('Not answering for 32 s: connection refused');
    expect(within(tiles[1]!).getByTestId('verdict')).toHaveTextContent('Healthy');
    expect(screen.getByRole('status')).toHaveTextContent('Live');
  });

  it("the tile's name opens the dashboard of the node that runs the plant", () => {
    render(FleetApp, { fleet: stateWith(view) });
    expect(screen.getByRole('link', { name: 'line-2' })).toHaveAttribute('href', 'http://10.0.0.22:8088/');
  });

  it('filters by site and by text', async () => {
    const user = userEvent.setup();
    render(FleetApp, { fleet: stateWith(view) });
    await user.selectOptions(screen.getByLabelText('Site'), 'North');
    expect(screen.getAllByRole('article').map((t) => t.getAttribute('aria-label'))).toEqual(['line-1']);
    await user.selectOptions(screen.getByLabelText('Site'), '');
    await user.type(screen.getByLabelText('Filter'), 'failed');
    expect(screen.getAllByRole('article').map((t) => t.getAttribute('aria-label'))).toEqual(['line-2']);
    expect(screen.getByText('1 of 2 pairs')).toBeInTheDocument();
  });

  it('without a token, says how to open the page', () => {
    render(FleetApp, { fleet: null });
    expect(screen.getByText(/Open this page with the address the monitor printed/)).toBeInTheDocument();
  });
});
