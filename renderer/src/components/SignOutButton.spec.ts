import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { LogoutHandler } from '../lib/session.ts';
import SignOutButton from './SignOutButton.svelte';

describe('SignOutButton', () => {
  it('signs out once when pressed, and says so while the node is asked', async () => {
    let finish: () => void = () => undefined;
    const onlogout = vi.fn<LogoutHandler>(() => new Promise<void>((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    render(SignOutButton, { onlogout });

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    const busy = screen.getByRole('button', { name: 'Signing out…' });
    expect(busy).toBeDisabled();
    await user.click(busy);
    expect(onlogout).toHaveBeenCalledOnce();

    finish();
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeEnabled();
  });
});
