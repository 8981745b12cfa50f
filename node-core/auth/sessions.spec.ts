import { describe, expect, it, vi } from 'vitest';
import { SessionStore } from './sessions.ts';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('SessionStore: how sessions end', () => {
  it('closes a session with a logout once; a token that is no session closes nothing', () => {
    const sessions = new SessionStore();
    const { token } = sessions.open('ops');
    expect(sessions.close(token)).toBe(true);
    expect(sessions.close(token)).toBe(false);
    expect(sessions.close('')).toBe(false);
    expect(sessions.userOf(token)).toBeNull();
  });

  it('tells each watcher of a session once, with the reason, and no one after they unsubscribe', () => {
    const sessions = new SessionStore();
    const { token } = sessions.open('ops');
    const first = vi.fn();
    const second = vi.fn();
    sessions.watch(token, first);
    const unwatch = sessions.watch(token, second);
    unwatch?.();
    sessions.close(token);
    sessions.close(token);
    expect(first).toHaveBeenCalledExactlyOnceWith('logged-out');
    expect(second).not.toHaveBeenCalled();
  });

  it('watches nothing for a token that is not an open session', () => {
    const c = clock();
    const sessions = new SessionStore({ ttlMs: 1000, now: c.now });
    const { token } = sessions.open('ops');
    expect(sessions.watch('made-up', vi.fn())).toBeNull();
    c.advance(1000);
    expect(sessions.watch(token, vi.fn())).toBeNull();
  });

  it('ends the expired sessions on expire(), telling their watchers, and keeps the others', () => {
    const c = clock();
    const sessions = new SessionStore({ ttlMs: 60_000, now: c.now });
    const old = sessions.open('ops');
    c.advance(30_000);
    const young = sessions.open('ops');
    const onOld = vi.fn();
    const onYoung = vi.fn();
    sessions.watch(old.token, onOld);
    sessions.watch(young.token, onYoung);
    c.advance(30_000);
    expect(sessions.expire()).toBe(1);
    expect(onOld).toHaveBeenCalledExactlyOnceWith('expired');
    expect(onYoung).not.toHaveBeenCalled();
    expect(sessions.userOf(young.token)).toBe('ops');
  });

  it('tells the watcher of a session dropped to make room that it was evicted', () => {
    const sessions = new SessionStore({ maxSessions: 1 });
    const first = sessions.open('a');
    const ended = vi.fn();
    sessions.watch(first.token, ended);
    sessions.open('b');
    expect(ended).toHaveBeenCalledExactlyOnceWith('evicted');
  });

  it('ends every session of a user on request, and lists the users with sessions open', () => {
    const sessions = new SessionStore();
    const a1 = sessions.open('a', 10);
    sessions.open('a', 10);
    const b = sessions.open('b', 20);
    expect(sessions.users()).toEqual([
      { user: 'a', userCreatedAt: 10 },
      { user: 'b', userCreatedAt: 20 },
    ]);
    expect(sessions.sessionOf(a1.token)).toEqual({ user: 'a', userCreatedAt: 10, expiresAt: a1.expiresAt });
    expect(sessions.endWhere((s) => s.user === 'a', 'user-removed')).toBe(2);
    expect(sessions.size).toBe(1);
    expect(sessions.userOf(b.token)).toBe('b');
  });
});
