import { describe, expect, it } from 'vitest';
import { routeFromHash } from './router.svelte.ts';

describe('routeFromHash', () => {
  it.each([
    ['#/overview', 'overview'],
    ['#/certificates', 'certificates'],
    ['#/history', 'history'],
    ['#/history?x=1', 'history'],
    ['#/tags', 'tags'],
    ['#/alarms', 'alarms'],
    ['', 'overview'],
    ['#/nope', 'overview'],
    ['#token=abc', 'overview'],
  ])('%s → %s', (hash, route) => {
    expect(routeFromHash(hash)).toBe(route);
  });
});
