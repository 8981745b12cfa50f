import { describe, expect, it } from 'vitest';
import { fleetNode, fleetPair } from './fleet-fixtures.ts';
import { filterPairs, pairLink, sitesOf, sortPairs, verdictCounts } from './fleet-format.ts';

const healthy = fleetPair({ name: 'a-line' });
const down = fleetPair({
  name: 'z-line',
  verdict: 'down',
  headline: 'Down: neither node answers',
  site: 'North',
  activeNode: null,
});
const failed = fleetPair({
  name: 'm-line',
  verdict: 'failed-over',
  site: 'South',
  activeNode: { index: 1, mode: 'backup', since: null },
});

describe('fleet order, filter and links', () => {
  it('sorts by severity, then by name', () => {
    expect(sortPairs([healthy, failed, down]).map((p) => p.name)).toEqual(['z-line', 'm-line', 'a-line']);
  });

  it('filters by site and by words in the name, verdict, headline or address', () => {
    expect(filterPairs([healthy, down, failed], { site: 'North', text: '' }).map((p) => p.name)).toEqual([
      'z-line',
    ]);
    expect(filterPairs([healthy, down, failed], { site: '', text: 'FAILED' }).map((p) => p.name)).toEqual([
      'm-line',
    ]);
    expect(
      filterPairs([healthy, down, failed], { site: '', text: 'neither answers' }).map((p) => p.name),
    ).toEqual(['z-line']);
    expect(filterPairs([healthy, down, failed], { site: '', text: '10.0.0.12' })).toHaveLength(3);
  });

  it('lists the sites and counts the verdicts', () => {
    expect(sitesOf([healthy, down, failed])).toEqual(['North', 'South']);
    expect(verdictCounts([healthy, down, failed, healthy])).toEqual([
      { verdict: 'down', count: 1 },
      { verdict: 'failed-over', count: 1 },
      { verdict: 'healthy', count: 2 },
    ]);
  });

  it('a click opens the dashboard of the node that runs the plant, else of one that answers', () => {
    expect(pairLink(failed)).toBe('http://10.0.0.12:8088/');
    expect(
      pairLink(
        fleetPair({
          activeNode: null,
          nodes: [fleetNode({ answering: false }), fleetNode({ dashboardUrl: 'http://b/' })],
        }),
      ),
    ).toBe('http://b/');
    expect(
      pairLink(
        fleetPair({
          activeNode: null,
          nodes: [fleetNode({ answering: false }), fleetNode({ answering: false })],
        }),
      ),
    ).toBeNull();
  });
});
