import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { OpcUaView } from '../../../node-core/protocol/plant-views.ts';
import OpcUaPanel from './OpcUaPanel.svelte';

const running: OpcUaView = {
  state: 'running',
  endpointUrl: 'opc.tcp://plant-gw-1:4840',
  applicationUri: 'urn:tandem:line-1:master',
  serviceLevel: 255,
  sessions: 3,
  problem: null,
};

describe('OpcUaPanel', () => {
  it("shows the node's endpoint URL, ServiceLevel in words and open sessions", () => {
    render(OpcUaPanel, { opcua: running });
    expect(screen.getByTestId('opcua-state')).toHaveTextContent('Running');
    expect(screen.getByTestId('opcua-endpoint')).toHaveTextContent('opc.tcp://plant-gw-1:4840');
    expect(screen.getByTestId('opcua-service-level')).toHaveTextContent('255 — active, healthy');
    expect(screen.getByTestId('opcua-sessions')).toHaveTextContent('3');
  });

  it('a standby says clients should use the other node', () => {
    render(OpcUaPanel, { opcua: { ...running, serviceLevel: 199 } });
    expect(screen.getByTestId('opcua-service-level')).toHaveTextContent(
      '199 — standby: clients should use the other node',
    );
  });

  it('a port that is taken: the problem, no endpoint', () => {
    const problem = 'OPC UA port 4840 is already in use: this node runs without an OPC UA server';
    render(OpcUaPanel, { opcua: { ...running, state: 'failed', endpointUrl: null, problem } });
    expect(screen.getByTestId('opcua-state')).toHaveTextContent('Not running');
    expect(screen.getByTestId('opcua-problem')).toHaveTextContent(problem);
    expect(screen.queryByTestId('opcua-endpoint')).not.toBeInTheDocument();
  });
});
