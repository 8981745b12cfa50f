import { describe, expect, it, vi } from 'vitest';
import { problem } from '../test/fixtures.ts';
import { signOut } from './sign-out.ts';

describe('signOut', () => {
  it('ends the session on the node, then forgets the token, with nothing to tell', async () => {
    const order: string[] = [];
    const notice = await signOut(
      () => Promise.resolve(order.push('end')),
      () => void order.push('forget'),
    );
    expect(notice).toBeNull();
    expect(order).toEqual(['end', 'forget']);
  });

  it('counts a session that had ended already (401) as signed out', async () => {
    const forget = vi.fn();
    const ended = problem({ status: 401, code: 'UNAUTHORIZED', message: 'missing or wrong token' });
    expect(await signOut(() => Promise.reject(ended), forget)).toBeNull();
    expect(forget).toHaveBeenCalledOnce();
  });

  it('forgets the token even when the node cannot be told, and says the session lives on there', async () => {
    const forget = vi.fn();
    const down = problem({ status: 0, code: 'UNREACHABLE', message: 'the node is not answering' });
    const notice = await signOut(() => Promise.reject(down), forget);
    expect(forget).toHaveBeenCalledOnce();
    expect(notice).toBe(
      'Signed out of this tab, but the node could not end the session (the node is not answering): ' +
        'it stays valid on the node until it expires or the node restarts.',
    );
  });
});
