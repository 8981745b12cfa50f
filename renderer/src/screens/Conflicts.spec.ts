import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { conflict, FakeApi, pending, problem, statusView } from '../test/fixtures.ts';
import Conflicts from './Conflicts.svelte';

/** The peer (node-bbbb) made pump.speed during the split; the pair now holds the master's definition. */
const MADE_ON_PEER = conflict({
  id: 'node-bbbb:8:17',
  origin: 'node-bbbb',
  epoch: 8,
  key: 'pump.speed',
  value: { dataType: 'int', source: { kind: 'memory' } },
  current: { dataType: 'float', source: { kind: 'memory' } },
});
const DELETED_HERE = conflict({
  id: 'node-aaaa:8:9',
  origin: 'node-aaaa',
  epoch: 8,
  op: 'delete',
  kind: 'alarm-rule',
  key: 'boiler.hot',
  value: null,
});

async function shown(api: FakeApi): Promise<DashboardState> {
  const dashboard = new DashboardState(api);
  await dashboard.load();
  render(Conflicts, { dashboard });
  return dashboard;
}

function withConflicts(...conflicts: ReturnType<typeof conflict>[]): FakeApi {
  const api = new FakeApi();
  api.conflicts.mockResolvedValue(conflicts);
  return api;
}

describe('Conflicts screen (Partitions: the loser’s changes are stored as a conflict set an operator can review and re-apply)', () => {
  it('shows a loading state', () => {
    const api = new FakeApi();
    api.conflicts.mockReturnValue(pending());
    render(Conflicts, { dashboard: new DashboardState(api) });
    expect(screen.getByText('Loading conflicts…')).toBeInTheDocument();
  });

  it('says so when there is nothing to review', async () => {
    await shown(new FakeApi());
    expect(await screen.findByTestId('conflicts-empty')).toHaveTextContent(
      "every config change made on either node is in the pair's config",
    );
  });

  it('shows each change of the split beside what the pair holds now, and who made it', async () => {
    await shown(withConflicts(MADE_ON_PEER, DELETED_HERE));
    const rows = await screen.findAllByTestId('conflict-row');
    expect(rows).toHaveLength(2);
    const tag = within(rows[0]!);
    expect(tag.getByRole('rowheader')).toHaveTextContent('pump.speed');
    expect(rows[0]).toHaveTextContent('tag set');
    expect(rows[0]).toHaveTextContent('{"dataType":"int","source":{"kind":"memory"}}');
    expect(tag.getByTestId('conflict-now')).toHaveTextContent(
      '{"dataType":"float","source":{"kind":"memory"}}',
    );
    expect(rows[0]).toHaveTextContent('on the peer, epoch 8');
    expect(rows[1]).toHaveTextContent('alarm rule deleted');
    expect(rows[1]).toHaveTextContent('on this node, epoch 8');
    expect(within(rows[1]!).getByTestId('conflict-now')).toHaveTextContent('none');
    expect(screen.getByText('2 changes to review')).toBeInTheDocument();
  });

  it('re-applies a change only after the operator confirms, then lists the set again', async () => {
    const api = withConflicts(MADE_ON_PEER);
    await shown(api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Re-apply tag “pump.speed” set' }));
    const dialog = screen.getByRole('dialog', { name: 'Re-apply this change?' });
    expect(dialog).toHaveTextContent(
      'It replaces what the pair holds now: {"dataType":"float","source":{"kind":"memory"}}.',
    );
    expect(api.reapplyConflict).not.toHaveBeenCalled();
    api.conflicts.mockResolvedValue([]);
    await user.click(within(dialog).getByRole('button', { name: 'Re-apply' }));
    expect(api.reapplyConflict).toHaveBeenCalledWith('node-bbbb:8:17');
    expect(await screen.findByTestId('notice')).toHaveTextContent(
      'Re-applied: tag “pump.speed” set. Both nodes hold it now.',
    );
    expect(await screen.findByTestId('conflicts-empty')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('discards a change after confirmation; Cancel does nothing', async () => {
    const api = withConflicts(DELETED_HERE);
    await shown(api);
    const user = userEvent.setup();
    const discard = await screen.findByRole('button', { name: 'Discard alarm rule “boiler.hot” deleted' });
    await user.click(discard);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.discardConflict).not.toHaveBeenCalled();
    await user.click(discard);
    expect(screen.getByRole('dialog')).toHaveTextContent(
      'The pair keeps what it holds now: nothing under this name.',
    );
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Discard' }));
    expect(api.discardConflict).toHaveBeenCalledWith('node-aaaa:8:9');
    expect(await screen.findByTestId('notice')).toHaveTextContent('It is gone from both nodes.');
  });

  it('says nothing is lost, and keeps the dialog open, when the node does not answer', async () => {
    const api = withConflicts(MADE_ON_PEER);
    api.reapplyConflict.mockRejectedValue(
      problem({ status: 0, code: 'UNREACHABLE', message: 'the node is not answering' }),
    );
    await shown(api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /^Re-apply/ }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Re-apply' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No answer from the node: the node is not answering. Nothing is lost either way: once the node answers, the list shows whether it was re-applied.',
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('on a standby: says where the running node is and offers no buttons that would fail', async () => {
    const api = withConflicts(MADE_ON_PEER);
    api.status.mockResolvedValue(
      statusView({
        node: { mode: 'backup', status: 'standby' },
        peer: { mode: 'master', status: 'active', apiUrl: 'http://10.0.0.2:8088' },
      }),
    );
    await shown(api);
    const hint = await screen.findByTestId('active-node-hint');
    expect(hint).toHaveTextContent(
      'This node is standby. Conflicts are re-applied and discarded on the running node.',
    );
    expect(within(hint).getByTestId('active-node-url')).toHaveTextContent('http://10.0.0.2:8088');
    expect(await screen.findByRole('button', { name: /^Re-apply/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: /^Discard/ })).toBeDisabled();
  });

  it('on a standby with nothing to review: no hint about where conflicts are resolved', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({ node: { mode: 'backup', status: 'standby' }, peer: { status: 'active' } }),
    );
    await shown(api);
    expect(await screen.findByTestId('conflicts-empty')).toBeInTheDocument();
    expect(screen.queryByTestId('active-node-hint')).toBeNull();
  });

  it('shows a load problem with a retry', async () => {
    const api = new FakeApi();
    api.conflicts.mockRejectedValue(
      problem({ status: 500, code: 'INTERNAL', message: 'database is locked' }),
    );
    await shown(api);
    expect(await screen.findByTestId('load-problem')).toHaveTextContent('Could not load the conflicts.');
    api.conflicts.mockResolvedValue([MADE_ON_PEER]);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findAllByTestId('conflict-row')).toHaveLength(1);
  });

  it('lists the set again when the live status says its count changed (a split healed meanwhile)', async () => {
    const api = new FakeApi();
    const dashboard = new DashboardState(api);
    dashboard.start();
    await dashboard.load();
    render(Conflicts, { dashboard });
    expect(await screen.findByTestId('conflicts-empty')).toBeInTheDocument();
    api.conflicts.mockResolvedValue([MADE_ON_PEER]);
    api.handlers!.status(statusView({ conflicts: 1 }));
    expect(await screen.findAllByTestId('conflict-row')).toHaveLength(1);
    dashboard.stop();
  });
});
