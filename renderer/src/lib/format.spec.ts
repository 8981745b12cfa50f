import { describe, expect, it } from 'vitest';
import { FP_PEER, peerView, statusView } from '../test/fixtures.ts';
import {
  countOf,
  formatAgo,
  formatClock,
  formatDuration,
  formatTime,
  groupFingerprint,
  licenseComparisonText,
  licenseGlance,
  linkTone,
  nameParts,
  peerStatusLabel,
  replicationText,
  splitFingerprints,
  statusLabel,
  statusTone,
  timeZoneLabel,
  utcOffsetLabel,
} from './format.ts';

describe('format', () => {
  it('names statuses as the operator reads them', () => {
    expect(statusLabel('active')).toBe('Running');
    expect(statusLabel('standby')).toBe('Standby');
    expect(statusLabel('starting')).toBe('Starting');
    expect(statusLabel('stopping')).toBe('Stopping');
  });

  it('calls a peer Unreachable when its link is down, whatever it last said', () => {
    expect(peerStatusLabel(peerView({ link: 'connected', status: 'active' }))).toBe('Running');
    for (const link of ['connecting', 'disconnected', 'faulted'] as const) {
      expect(peerStatusLabel(peerView({ link, status: 'active' }))).toBe('Unreachable');
    }
  });

  it('a peer that answers but waits for a certificate decision is not Unreachable (issue 16)', () => {
    expect(peerStatusLabel(peerView({ link: 'pending-approval', status: null }))).toBe('Awaiting approval');
    expect(statusTone('Awaiting approval')).toBe('warn');
    expect(peerStatusLabel(peerView({ link: 'rejected', status: null }))).toBe('Rejected');
    expect(statusTone('Unreachable')).toBe('bad');
    expect(linkTone('pending-approval')).toBe('warn');
    expect(linkTone('disconnected')).toBe('bad');
    expect(linkTone('connected')).toBe('good');
  });

  it('finds the fingerprints in a text, to show them grouped', () => {
    expect(splitFingerprints(`approve peer certificate ${FP_PEER} on this node`)).toEqual([
      { text: 'approve peer certificate ', fingerprint: false },
      { text: FP_PEER, fingerprint: true },
      { text: ' on this node', fingerprint: false },
    ]);
    expect(splitFingerprints('missed heartbeats')).toEqual([
      { text: 'missed heartbeats', fingerprint: false },
    ]);
  });

  it('splits a name into parts that may end a line, never inside a word', () => {
    expect(nameParts('line1/filling-station.pressure-low')).toEqual([
      'line1/',
      'filling-',
      'station.',
      'pressure-',
      'low',
    ]);
    expect(nameParts('boiler')).toEqual(['boiler']);
  });

  it('writes times 24-hour, and the time zone once as an offset with its name', () => {
    expect(formatTime('2025-06-01T15:04:05Z')).toMatch(/^2025-06-0[12] \d\d:\d\d:05$/);
    expect(formatClock(new Date(2025, 5, 1, 15, 4, 5))).toBe('15:04:05');
    expect(formatClock(new Date(2025, 5, 1, 15, 4, 5), false)).toBe('15:04');
    const at = new Date('2025-06-01T00:00:00Z');
    const offset = utcOffsetLabel(at);
    expect(offset).toMatch(/^UTC([+−]\d\d:\d\d)?$/);
    expect(timeZoneLabel(at, 'Europe/Berlin')).toBe(`${offset} (Europe/Berlin)`);
    expect(timeZoneLabel(at, 'UTC')).toBe(offset);
  });

  it('says the replication of the peer link as a sentence', () => {
    const sync = { eventsReplicated: 1, configSeq: 3, peerConfigSeq: 3, runtimeLagMs: null, conflicts: 0 };
    expect(replicationText(sync)).toBe(
      'No runtime change has been sent to the peer yet; 1 failover event replicated.',
    );
    expect(replicationText({ ...sync, eventsReplicated: 1234, runtimeLagMs: 2 })).toBe(
      'The last runtime change reached the peer in 2 ms; 1,234 failover events replicated.',
    );
  });

  it('License "Match" is green only when both nodes hold a valid license (issue 16)', () => {
    expect(licenseComparisonText(statusView())).toMatchObject({ headline: 'Match', tone: 'good' });
    const none = statusView({
      node: { license: { state: 'missing' } },
      peer: { license: { state: 'missing' } },
    });
    expect(licenseComparisonText(none)).toEqual({
      headline: 'Match',
      tone: 'warn',
      explanation: 'Neither node has a license installed.',
    });
    expect(licenseGlance(none)).toBe('none on either node');
    expect(licenseComparisonText(statusView({ licenseMatch: 'mismatch' })).tone).toBe('bad');
    expect(licenseGlance(statusView({ licenseMatch: 'unknown' }))).toBe('Unknown');
  });

  it.each([
    [850, '850 ms'],
    [12_400, '12 s'],
    [4_200, '4.2 s'],
    [125_000, '2 min 05 s'],
    [7_620_000, '2 h 07 min'],
    [273_600_000, '3 d 4 h'],
    [-1, '—'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('groups a fingerprint by four', () => {
    expect(groupFingerprint('ABCDEF0123456789')).toBe('abcd ef01 2345 6789');
  });

  it('says how long ago', () => {
    const now = Date.parse('2025-06-01T03:00:00Z');
    expect(formatAgo(null, now)).toBe('never');
    expect(formatAgo('2025-06-01T02:59:59.500Z', now)).toBe('just now');
    expect(formatAgo('2025-06-01T02:58:00Z', now)).toBe('2 min 00 s ago');
  });
});

describe('countOf', () => {
  it('says one thing in the singular and any other count in the plural, with thousands separated', () => {
    expect(countOf(1, 'tag')).toBe('1 tag');
    expect(countOf(0, 'tag')).toBe('0 tags');
    expect(countOf(1234, 'event')).toBe('1,234 events');
  });
});
