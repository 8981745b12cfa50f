import { describe, expect, it } from 'vitest';
import type { StatusView } from '../dto.ts';
import { NodeMetrics } from './node-metrics.ts';

const view = (status: StatusView['node']['status'], epoch: number): StatusView =>
  ({
    node: { status, epoch },
    peer: { missedPings: 2, link: 'connected' },
  }) as unknown as StatusView;

describe('node metrics', () => {
  it('reports what was recorded before and between scrapes, in the Prometheus text format', async () => {
    const metrics = new NodeMetrics();
    metrics.update(view('active', 3));
    metrics.heartbeatRtt(12);
    metrics.failover();
    const first = await metrics.text();
    expect(metrics.registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(first).toContain('tandem_node_status{status="active"} 1');
    expect(first).toContain('tandem_node_status{status="standby"} 0');
    expect(first).toContain('tandem_epoch 3');
    expect(first).toContain('tandem_heartbeat_rtt_seconds 0.012');
    expect(first).toContain('tandem_missed_pings 2');
    expect(first).toContain('tandem_peer_connected 1');
    expect(first).toContain('tandem_failovers_total 1');
    metrics.failover();
    metrics.failover();
    metrics.update(view('standby', 4));
    const second = await metrics.text();
    expect(second).toContain('tandem_failovers_total 3');
    expect(second).toContain('tandem_node_status{status="standby"} 1');
    expect(second).toContain('tandem_epoch 4');
  });
});
