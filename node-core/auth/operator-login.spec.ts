import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { LoginLimiter } from './login-limiter.ts';
import { OperatorLogin } from './operator-login.ts';
import { hashPassword } from './password.ts';
import { SessionStore } from './sessions.ts';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('SessionStore', () => {
  it('opens sessions with random tokens that last the TTL, then are gone', () => {
    const c = clock();
    const sessions = new SessionStore({ ttlMs: 60_000, now: c.now });
    const a = sessions.open('ops');
    const b = sessions.open('ops');
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[\w-]{43}$/);
    expect(a.expiresAt).toBe(c.now() + 60_000);
    expect(sessions.userOf(a.token)).toBe('ops');
    c.advance(59_999);
    expect(sessions.userOf(a.token)).toBe('ops');
    c.advance(1);
    expect(sessions.userOf(a.token)).toBeNull();
    expect(sessions.userOf('')).toBeNull();
    expect(sessions.userOf('not-a-session')).toBeNull();
  });

  it('closes a session on request and drops the oldest when full', () => {
    const sessions = new SessionStore({ maxSessions: 2 });
    const first = sessions.open('a');
    const second = sessions.open('b');
    sessions.open('c');
    expect(sessions.size).toBe(2);
    expect(sessions.userOf(first.token)).toBeNull();
    sessions.close(second.token);
    expect(sessions.userOf(second.token)).toBeNull();
  });
});

describe('LoginLimiter', () => {
  it('refuses an address after the failures allowed within the window, until the oldest leaves it', () => {
    const c = clock();
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('10.0.0.9')).toBe(0);
      limiter.failed('10.0.0.9');
      c.advance(1000);
    }
    expect(limiter.retryAfterMs('10.0.0.9')).toBe(57_000);
    expect(limiter.retryAfterMs('10.0.0.8')).toBe(0);
    c.advance(57_000);
    expect(limiter.retryAfterMs('10.0.0.9')).toBe(0);
  });

  it('forgets the failures of an address that logged in', () => {
    const limiter = new LoginLimiter({ maxFailures: 2 });
    limiter.failed('a');
    limiter.succeeded('a');
    limiter.failed('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
  });

  it('holds a bounded number of addresses', () => {
    const limiter = new LoginLimiter({ maxFailures: 1, maxAddresses: 2 });
    limiter.failed('a');
    limiter.failed('b');
    limiter.failed('c');
    expect(limiter.retryAfterMs('a')).toBe(0);
    expect(limiter.retryAfterMs('c')).toBeGreaterThan(0);
  });
});

describe('OperatorLogin', () => {
  const FAST = { N: 1024, r: 8, p: 1 } as const;

  async function setup(maxFailures = 3, clock = new ManualClock(1_000_000)) {
    const users = new Map([
      ['ops', { passwordHash: await hashPassword('correct horse battery', FAST), createdAt: 1 }],
    ]);
    const login = new OperatorLogin(
      { get: (name) => users.get(name) },
      new SessionStore({ ttlMs: 60_000, now: () => clock.now() }),
      new LoginLimiter({ maxFailures }),
      { clock, checkEveryMs: 1000 },
    );
    return Object.assign(login, { users, clock });
  }

  async function signIn(login: OperatorLogin, address = '127.0.0.1'): Promise<string> {
    const outcome = await login.login('ops', 'correct horse battery', address);
    if (outcome.kind !== 'ok') throw new Error(`login ${outcome.kind}`);
    return outcome.session.token;
  }

  it('opens a session for the right password; its token is accepted, others are not', async () => {
    const login = await setup();
    const outcome = await login.login('ops', 'correct horse battery', '127.0.0.1');
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(login.accepts(outcome.session.token)).toBe(true);
    expect(login.accepts('something else')).toBe(false);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const login = await setup();
    expect(await login.login('ops', 'wrong password!', '127.0.0.1')).toEqual({ kind: 'refused' });
    expect(await login.login('nobody', 'correct horse battery', '127.0.0.1')).toEqual({ kind: 'refused' });
  });

  it('limits failures per address, even attempts made at the same time, and then refuses the right password too', async () => {
    const login = await setup(3);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => login.login('ops', 'wrong password!', '10.1.1.1')),
    );
    expect(attempts.map((a) => a.kind)).toEqual(['refused', 'refused', 'refused', 'limited', 'limited']);
    expect((await login.login('ops', 'correct horse battery', '10.1.1.1')).kind).toBe('limited');
    expect((await login.login('ops', 'correct horse battery', '10.1.1.2')).kind).toBe('ok');
  });

  it('logs a session out at once: its token is refused after, and a second logout finds nothing', async () => {
    const login = await setup();
    const token = await signIn(login);
    const other = await signIn(login);
    expect(login.logout(token)).toBe(true);
    expect(login.accepts(token)).toBe(false);
    expect(login.logout(token)).toBe(false);
    expect(login.accepts(other)).toBe(true);
    login.stop();
  });

  it('refuses the token of a user removed from the database at its next check, and ends its other sessions', async () => {
    const login = await setup();
    const first = await signIn(login);
    const second = await signIn(login);
    const ended = vi.fn();
    login.watch(second, ended);
    login.users.delete('ops');
    expect(login.accepts(first)).toBe(false);
    expect(ended).toHaveBeenCalledExactlyOnceWith('user-removed');
    expect(login.sessions.size).toBe(0);
    login.stop();
  });

  it('does not carry sessions over to a user removed and made again under the same name', async () => {
    const login = await setup();
    const token = await signIn(login);
    login.users.set('ops', { ...login.users.get('ops')!, createdAt: 2 });
    expect(login.accepts(token)).toBe(false);
    login.stop();
  });

  it('tells a watcher when its session ends by logout, and watches nothing for a token it refuses', async () => {
    const login = await setup();
    const token = await signIn(login);
    const ended = vi.fn();
    const unwatch = login.watch(token, ended);
    expect(unwatch).toBeTypeOf('function');
    expect(login.watch('not-a-session', ended)).toBeNull();
    login.logout(token);
    expect(ended).toHaveBeenCalledExactlyOnceWith('logged-out');
    login.stop();
  });

  it('ends expired sessions and those of removed users on its clock, without a request, while any is open', async () => {
    const login = await setup();
    const expiring = await signIn(login);
    const onExpired = vi.fn();
    login.watch(expiring, onExpired);
    login.clock.advance(59_000);
    expect(onExpired).not.toHaveBeenCalled();
    login.clock.advance(1000);
    expect(onExpired).toHaveBeenCalledExactlyOnceWith('expired');

    // The rounds stopped with no session open; a login starts them again.
    const removed = await signIn(login);
    const onRemoved = vi.fn();
    login.watch(removed, onRemoved);
    login.users.delete('ops');
    login.clock.advance(999);
    expect(onRemoved).not.toHaveBeenCalled();
    login.clock.advance(1);
    expect(onRemoved).toHaveBeenCalledExactlyOnceWith('user-removed');
    login.stop();
  });

  it('runs no more rounds once stopped', async () => {
    const login = await setup();
    const token = await signIn(login);
    const ended = vi.fn();
    login.watch(token, ended);
    login.stop();
    login.stop();
    login.clock.advance(120_000);
    expect(ended).not.toHaveBeenCalled();
  });
});
