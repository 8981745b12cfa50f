import { describe, expect, it } from 'vitest';
import { statusView } from '../test/fixtures.ts';
import { changesPlace } from './active-node.ts';

describe('changesPlace (Data: config may be changed only on the active node)', () => {
  it('takes changes on the running node, and while its status is not known yet', () => {
    expect(changesPlace(statusView())).toEqual({ here: true });
    expect(changesPlace(null)).toEqual({ here: true });
  });

  it('on a standby, names the running peer’s address', () => {
    const place = changesPlace(
      statusView({ node: { status: 'standby' }, peer: { status: 'active', apiUrl: 'http://10.0.0.2:8088' } }),
    );
    expect(place).toEqual({ here: false, status: 'standby', activeUrl: 'http://10.0.0.2:8088' });
  });

  it('names no address when the peer is not running or not linked', () => {
    const starting = changesPlace(statusView({ node: { status: 'starting' }, peer: { status: 'standby' } }));
    expect(starting).toEqual({ here: false, status: 'starting', activeUrl: null });
    const unlinked = changesPlace(
      statusView({ node: { status: 'standby' }, peer: { link: 'disconnected', status: 'active' } }),
    );
    expect(unlinked).toEqual({ here: false, status: 'standby', activeUrl: null });
  });
});
