import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging.ts';
import type { WatchedNode, WatchedPair } from './config.ts';
import { FleetMonitor } from './fleet-monitor.ts';
import { DEFAULT_TIMING } from './node-reader.ts';

const node = (url: string, fingerprint: string | null = null): WatchedNode => ({
  url,
  token: 'token-0123456789abcdef',
  tokenFile: null,
  fingerprint,
});
const pair = (name: string, nodes: [WatchedNode, WatchedNode]): WatchedPair => ({
  key: name,
  name,
  site: null,
  nodes,
  problem: null,
});

describe('the fleet monitor', () => {
  it('knows the certificate the file pins for a node, by the origin of any page of it, as the file is edited', () => {
    const monitor = new FleetMonitor({
      pairs: [pair('line-1', [node('https://10.0.1.11:8443', 'ab12'), node('http://10.0.1.12:8088')])],
      timing: DEFAULT_TIMING,
      logger: silentLogger,
    });
    expect(monitor.pinnedFingerprint('https://10.0.1.11:8443/#/alarms')).toBe('ab12');
    expect(monitor.pinnedFingerprint('https://10.0.1.11:9999/')).toBeNull();
    expect(monitor.pinnedFingerprint('http://10.0.1.12:8088/')).toBeNull();
    expect(monitor.pinnedFingerprint('not a url')).toBeNull();
    monitor.replacePairs([
      pair('line-1', [node('https://10.0.1.11:8443', 'cd34'), node('http://10.0.1.12:8088')]),
    ]);
    expect(monitor.pinnedFingerprint('https://10.0.1.11:8443/')).toBe('cd34');
    monitor.stop();
  });
});
