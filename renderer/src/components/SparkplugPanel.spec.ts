import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { SparkplugView } from '../../../node-core/protocol/plant-views.ts';
import { formatTime } from '../lib/format.ts';
import SparkplugPanel from './SparkplugPanel.svelte';

const online: SparkplugView = {
  state: 'online',
  broker: 'mqtts://broker.plant:8883',
  group: 'plant',
  edgeNode: 'line-1',
  primaryHost: 'scada',
  bdSeq: 7,
  lastBirthAt: '2026-12-04T10:00:00.000Z',
  buffered: 0,
  problem: null,
};

describe('SparkplugPanel', () => {
  it('the active node: online as the edge node, with its bdSeq and primary host', () => {
    render(SparkplugPanel, { sparkplug: online });
    expect(screen.getByTestId('sparkplug-state')).toHaveTextContent('Online: this node is the edge node');
    expect(screen.getByTestId('sparkplug-identity')).toHaveTextContent('plant / line-1 (primary host scada)');
    expect(screen.getByTestId('sparkplug-birth')).toHaveTextContent('bdSeq 7');
    // The dashboard's one time format (24-hour), not the browser's locale.
    expect(screen.getByTestId('sparkplug-birth')).toHaveTextContent(formatTime('2026-12-04T10:00:00.000Z'));
    expect(screen.getByTestId('sparkplug-birth')).not.toHaveTextContent(/AM|PM/);
  });

  it('a broker that is away: the problem and what waits to be sent', () => {
    const problem = 'the broker refuses connections (not running?)';
    render(SparkplugPanel, { sparkplug: { ...online, state: 'retrying', buffered: 120, problem } });
    expect(screen.getByTestId('sparkplug-state')).toHaveTextContent('Broker not reachable');
    expect(screen.getByTestId('sparkplug-problem')).toHaveTextContent(problem);
    expect(screen.getByTestId('sparkplug-buffered')).toHaveTextContent('120 samples');
  });

  it('no broker set: no panel', () => {
    render(SparkplugPanel, { sparkplug: undefined });
    expect(screen.queryByTestId('sparkplug-panel')).not.toBeInTheDocument();
  });
});
