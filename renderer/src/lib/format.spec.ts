import { describe, expect, it } from 'vitest';
import { peerView } from '../test/fixtures.ts';
import {
  countOf,
  formatAgo,
  formatDuration,
  groupFingerprint,
  peerStatusLabel,
  statusLabel,
} from './format.ts';

describe('format', () => {
  it('names statuses as the operator reads them', () => {
    expect(statusLabel('active')).toBe('Running');
    expect(statusLabel('standby')).toBe('Standby');
    expect(statusLabel('starting')).toBe('Starting');
    expect(statusLabel('stopping')).toBe('Stopping');
  });

  it('calls a peer Unreachable whenever its link is not connected', () => {
    expect(peerStatusLabel(peerView({ link: 'connected', status: 'active' }))).toBe('Running');
    for (const link of ['connecting', 'disconnected', 'pending-approval', 'rejected', 'faulted'] as const) {
      expect(peerStatusLabel(peerView({ link, status: 'active' }))).toBe('Unreachable');
    }
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
