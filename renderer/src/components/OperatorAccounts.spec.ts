import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AccountView } from '../../../node-core/dto.ts';
import { ApiError } from '../lib/api-client.ts';
import OperatorAccounts from './OperatorAccounts.svelte';

function fakeAccounts(initial: AccountView[]) {
  let accounts = [...initial];
  return {
    list: vi.fn(() => Promise.resolve(accounts)),
    add: vi.fn((name: string) => {
      const added = { name, createdAt: '2025-06-01T03:00:00Z' };
      accounts = [...accounts, added];
      return Promise.resolve(added);
    }),
    remove: vi.fn((name: string) => {
      accounts = accounts.filter((a) => a.name !== name);
      return Promise.resolve();
    }),
  };
}

describe('OperatorAccounts', () => {
  it('lists the pair’s accounts, adds one, and removes one behind a confirmation', async () => {
    const api = fakeAccounts([{ name: 'ops', createdAt: '2025-06-01T02:00:00Z' }]);
    const user = userEvent.setup();
    render(OperatorAccounts, { api, place: { here: true }, signedInAs: 'ops' });
    const table = await screen.findByTestId('accounts');
    expect(within(table).getByText('ops (you)')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'night-shift');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Add operator' }));
    expect(api.add).toHaveBeenCalledWith('night-shift', 'correct horse battery');
    expect(await screen.findByTestId('accounts-notice')).toHaveTextContent(
      'Account "night-shift" added: it can sign in on both nodes of the pair.',
    );
    expect(await within(table).findByText('night-shift')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Remove night-shift' }));
    expect(api.remove).not.toHaveBeenCalled();
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove night-shift' }));
    expect(api.remove).toHaveBeenCalledWith('night-shift');
    expect(await screen.findByText(/its sessions on both nodes have ended/)).toBeInTheDocument();
  });

  it('says what the node refused (a short password, a name taken)', async () => {
    const api = fakeAccounts([]);
    api.add.mockRejectedValueOnce(new ApiError(409, 'USER_EXISTS', 'user "ops" exists already in this pair'));
    const user = userEvent.setup();
    render(OperatorAccounts, { api, place: { here: true } });
    expect(await screen.findByTestId('no-accounts')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Name'), 'ops');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Add operator' }));
    expect(await screen.findByTestId('accounts-notice')).toHaveTextContent(
      'Could not add the account: user "ops" exists already in this pair',
    );
  });

  it('on a standby: lists, offers no changes, and says where the running node is', async () => {
    const api = fakeAccounts([{ name: 'ops', createdAt: '2025-06-01T02:00:00Z' }]);
    render(OperatorAccounts, {
      api,
      place: { here: false, status: 'standby', activeUrl: 'http://10.0.0.1:8088' },
    });
    expect(await screen.findByTestId('accounts')).toBeInTheDocument();
    expect(screen.getByTestId('active-node-hint')).toHaveTextContent(
      'Accounts are added and removed on the running node',
    );
    expect(screen.queryByRole('button', { name: 'Add operator' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
  });
});
