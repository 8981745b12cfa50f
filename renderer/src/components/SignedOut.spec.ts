import { cleanup, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { LoginHandler } from '../lib/session.ts';
import { problem } from '../test/fixtures.ts';
import SignedOut from './SignedOut.svelte';

function show(onlogin: LoginHandler, refused = false) {
  const user = userEvent.setup();
  render(SignedOut, { refused, onlogin });
  return user;
}

describe('SignedOut login form', () => {
  it('logs in with the name and password typed', async () => {
    const onlogin = vi.fn<LoginHandler>(() => Promise.resolve());
    const user = show(onlogin);
    await user.type(screen.getByLabelText('Operator name'), ' ops ');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(onlogin).toHaveBeenCalledWith('ops', 'correct horse battery');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.queryByTestId('login-problem')).not.toBeInTheDocument();
  });

  it('asks for what is missing and sends nothing', async () => {
    const onlogin = vi.fn<LoginHandler>(() => Promise.resolve());
    const user = show(onlogin);
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(onlogin).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Operator name')).toHaveAccessibleDescription('Enter your operator name.');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('Enter your password.');
  });

  it('says "wrong name or password" on a 401 and clears the password', async () => {
    const onlogin = vi.fn<LoginHandler>(() =>
      Promise.reject(problem({ status: 401, code: 'LOGIN_FAILED', message: 'wrong name or password' })),
    );
    const user = show(onlogin);
    await user.type(screen.getByLabelText('Operator name'), 'ops');
    await user.type(screen.getByLabelText('Password'), 'not it');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong name or password.');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.getByLabelText('Operator name')).toHaveValue('ops');
  });

  it('passes on the node’s reason after too many failures', async () => {
    const onlogin = vi.fn<LoginHandler>(() =>
      Promise.reject(
        problem({
          status: 429,
          code: 'TOO_MANY_ATTEMPTS',
          message: 'too many failed logins from this address; try again in 42 s',
        }),
      ),
    );
    const user = show(onlogin, true);
    expect(screen.getByRole('heading')).toHaveTextContent('The node did not accept this sign-in');
    await user.type(screen.getByLabelText('Operator name'), 'ops');
    await user.type(screen.getByLabelText('Password'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Login refused for now: too many failed logins from this address; try again in 42 s.',
    );
  });

  it('shows only the sign-in link when no login is offered', () => {
    render(SignedOut, { refused: false });
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    expect(screen.getByTestId('signed-out')).toHaveTextContent('/#token=');
  });

  it('shows a notice about the sign-out that led here, and the node’s reason for refusing a token', () => {
    render(SignedOut, {
      refused: false,
      notice: 'Signed out of this tab, but the node could not end the session',
    });
    expect(screen.getByRole('status')).toHaveTextContent('the node could not end the session');
    cleanup();

    render(SignedOut, { refused: true, reason: 'session ended: expired' });
    expect(screen.getByTestId('signed-out')).toHaveTextContent('its session may have ended');
    expect(screen.getByTestId('refused-reason')).toHaveTextContent('The node said: session ended: expired.');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('names the node and its pair, as the node says without a token', () => {
    render(SignedOut, { refused: false, onlogin: vi.fn(), signIn: { name: 'line-1', mode: 'backup' } });
    expect(screen.getByTestId('sign-in-node')).toHaveTextContent(
      'Backup of the pair line-1. One sign-in serves both nodes of the pair.',
    );
    cleanup();
    render(SignedOut, { refused: false, signIn: { name: 'press-7', mode: 'independent' } });
    expect(screen.getByTestId('sign-in-node')).toHaveTextContent('Node press-7 (independent, no pair).');
  });
});
