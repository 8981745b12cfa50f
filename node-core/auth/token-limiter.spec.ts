import { describe, expect, it } from 'vitest';
import { TokenLimiter } from './token-limiter.ts';

describe('TokenLimiter', () => {
  it('refuses an address after 5 different wrong tokens in a minute, until the oldest is a minute old', () => {
    let now = 1_000_000;
    const limiter = new TokenLimiter({ now: () => now });
    for (let i = 0; i < 5; i++) {
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.refused('10.0.0.1', `guess-${i}`);
      now += 1000;
    }
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(55_000);
    expect(limiter.retryAfterMs('10.0.0.2')).toBe(0);
    now += 55_000;
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('counts one wrong token once a minute, however often it is sent', () => {
    let now = 0;
    const limiter = new TokenLimiter({ now: () => now });
    for (let i = 0; i < 100; i++) limiter.refused('10.0.0.1', 'stale-session');
    for (let i = 0; i < 3; i++) limiter.refused('10.0.0.1', `guess-${i}`);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    now += 60_001;
    limiter.refused('10.0.0.1', 'stale-session');
    for (let i = 3; i < 7; i++) limiter.refused('10.0.0.1', `guess-${i}`);
    expect(limiter.retryAfterMs('10.0.0.1')).toBeGreaterThan(0);
  });

  it('holds a bounded number of addresses and tokens', () => {
    const limiter = new TokenLimiter({ maxAddresses: 10, maxFailures: 2, now: () => 0 });
    for (let i = 0; i < 1000; i++) limiter.refused(`10.0.${i >> 8}.${i & 255}`, `t${i}`);
    // The first addresses were forgotten; the last ones are still counted.
    expect(limiter.retryAfterMs('10.0.0.0')).toBe(0);
    limiter.refused('10.0.3.231', 'another');
    expect(limiter.retryAfterMs('10.0.3.231')).toBeGreaterThan(0);
  });
});
