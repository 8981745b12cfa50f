import { describe, expect, it } from 'vitest';
import { eventKindsAccepted, LEGACY_EVENT_KINDS, parseFrame, type Hello } from './frames.ts';

const hello = {
  t: 'hello',
  protocol: 1,
  nodeId: 'n1',
  name: 'line-1',
  mode: 'backup',
  status: 'standby',
  epoch: 1,
  activeSince: null,
  startedAt: '2025-01-01T00:00:00.000Z',
  version: '0.1.0',
  apiUrl: '',
  license: { state: 'missing' },
};

const event = (kind: string) => ({
  id: `e-${kind}`,
  at: '2025-01-01T00:00:00.000Z',
  kind,
  node: 'master',
  nodeId: 'n0',
  from: null,
  to: null,
  reason: 'x',
  durationMs: null,
});

describe('frames: backward compatible with a peer of an earlier version', () => {
  it('frames: a hello without the clock, the pairing settings and the event kinds is still a hello', () => {
    const parsed = parseFrame(JSON.stringify(hello));
    expect(parsed.ok).toBe(true);
    if (parsed.ok && parsed.frame.t === 'hello')
      expect(eventKindsAccepted(parsed.frame)).toEqual(new Set(LEGACY_EVENT_KINDS));
  });

  it('frames: a hello carries the clock, the pairing settings and the event kinds the sender accepts', () => {
    const full = {
      ...hello,
      at: 1_700_000_000_000,
      pairing: {
        recovery: 'manual',
        pingRateMs: 100,
        pingTimeoutMs: 300,
        missedPings: 3,
        failoverTimeMs: 600,
      },
      eventKinds: ['role-change', 'clock-skew'],
    };
    const parsed = parseFrame(JSON.stringify(full));
    expect(parsed).toEqual({ ok: true, frame: full });
    expect(eventKindsAccepted(full as Hello).has('clock-skew')).toBe(true);
  });

  it('frames: a pong may carry the wall clock of the node that answered', () => {
    expect(parseFrame('{"t":"pong","seq":4}')).toEqual({ ok: true, frame: { t: 'pong', seq: 4 } });
    expect(parseFrame('{"t":"pong","seq":4,"at":17}')).toEqual({
      ok: true,
      frame: { t: 'pong', seq: 4, at: 17 },
    });
  });

  it("frames: an event of a kind this node does not know (a newer peer's) is skipped, the link stays", () => {
    const parsed = parseFrame(
      JSON.stringify({ t: 'events', events: [event('role-change'), event('from-the-future')] }),
    );
    expect(parsed.ok && parsed.frame.t === 'events' && parsed.frame.events.map((e) => e.kind)).toEqual([
      'role-change',
    ]);
    expect(
      parseFrame(JSON.stringify({ t: 'events', events: [{ ...event('role-change'), id: '' }] })).ok,
    ).toBe(false);
  });

  it('frames: the new event kinds pass', () => {
    const kinds = ['misconfiguration', 'settings-mismatch', 'clock-skew'];
    const parsed = parseFrame(JSON.stringify({ t: 'events', events: kinds.map(event) }));
    expect(parsed.ok && parsed.frame.t === 'events' && parsed.frame.events.map((e) => e.kind)).toEqual(kinds);
  });
});

describe('frames: config definitions are checked as the API checks them', () => {
  const change = (kind: string, value: string | null) => ({
    seq: 1,
    epoch: 1,
    origin: 'n1',
    op: value === null ? 'delete' : 'put',
    kind,
    key: 'pump',
    value,
    checksum: '0'.repeat(64),
    at: 0,
  });
  const tag = JSON.stringify({ dataType: 'float', source: { kind: 'memory' } });

  it('frames: a tag definition without a source is refused with its reason (peer-port fuzz seed 1205 ended the node)', () => {
    const parsed = parseFrame(
      JSON.stringify({
        t: 'config-changes',
        changes: [change('tag', JSON.stringify({ dataType: 'float' }))],
      }),
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/changes\.0\.value: not a valid tag: source/);
  });

  it('frames: a valid tag, a delete and a snapshot of valid items pass; a snapshot item that is not JSON does not', () => {
    expect(
      parseFrame(JSON.stringify({ t: 'config-changes', changes: [change('tag', tag), change('tag', null)] }))
        .ok,
    ).toBe(true);
    const snapshot = (definition: string): string =>
      JSON.stringify({
        t: 'config-snapshot',
        head: { seq: 1, checksum: '0'.repeat(64) },
        items: [{ kind: 'tag', key: 'pump', definition }],
      });
    expect(parseFrame(snapshot(tag)).ok).toBe(true);
    const bad = parseFrame(snapshot('{'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('not JSON for a tag');
  });
});

describe('frames: the partner session frames (docs/auth.md "The admin token and the pair view")', () => {
  it('frames: a request for an account or for the admin token (null), its grant and its refusal pass', () => {
    for (const frame of [
      { t: 'session-request', id: 's-1', account: 'ops' },
      { t: 'session-request', id: 's-1', account: null },
      { t: 'session-grant', id: 's-1', token: 't'.repeat(43), user: 'admin token', expiresAt: 1 },
      { t: 'session-refused', id: 's-1', reason: 'no account "ops" on this node yet' },
    ]) {
      expect(parseFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
    }
  });

  it('frames: a session frame out of its bounds is refused (the link closes)', () => {
    for (const frame of [
      { t: 'session-request', id: '', account: null },
      { t: 'session-request', id: 's-1' },
      { t: 'session-request', id: 's-1', account: 'a'.repeat(65) },
      { t: 'session-grant', id: 's-1', token: '', user: 'ops', expiresAt: 1 },
      { t: 'session-grant', id: 's-1', token: 't'.repeat(257), user: 'ops', expiresAt: 1 },
      { t: 'session-grant', id: 's-1', token: 't', user: 'ops', expiresAt: 1.5 },
      { t: 'session-refused', id: 's-1', reason: 'x'.repeat(501) },
    ]) {
      expect(parseFrame(JSON.stringify(frame)).ok).toBe(false);
    }
  });

  it('frames: a hello says whether its sender answers session requests; an earlier version’s says nothing', () => {
    const parsed = parseFrame(JSON.stringify({ ...hello, partnerSessions: true }));
    expect(parsed.ok && parsed.frame.t === 'hello' && parsed.frame.partnerSessions).toBe(true);
    const earlier = parseFrame(JSON.stringify(hello));
    expect(earlier.ok && earlier.frame.t === 'hello' && earlier.frame.partnerSessions).toBeUndefined();
  });
});
