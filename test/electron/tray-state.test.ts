import { describe, expect, it } from 'vitest';
import {
  TOOLTIP_MAX,
  trayMenu,
  trayPresentation,
  trayState,
  type NodeSnapshot,
  type TrayMenuItem,
} from '../../electron/main/tray-state.ts';
import { statusView } from './fixtures.ts';

const running = (view: Parameters<typeof statusView>[0] = {}): NodeSnapshot => ({
  phase: 'running',
  view: statusView(view),
});

function actions(
  menu: readonly TrayMenuItem[],
): Record<string, { enabled: boolean; checked?: boolean | undefined }> {
  const out: Record<string, { enabled: boolean; checked?: boolean | undefined }> = {};
  for (const item of menu)
    if (item.kind === 'action') out[item.action] = { enabled: item.enabled, checked: item.checked };
  return out;
}

describe('tray state', () => {
  it.each<[string, NodeSnapshot, string]>([
    ['an active master with its backup standing by', running(), 'active'],
    ['an independent node running', running({ mode: 'independent', peer: null }), 'active'],
    ['a backup standing by', running({ mode: 'backup', status: 'standby', peerStatus: 'active' }), 'standby'],
    ['a node starting', { phase: 'starting' }, 'standby'],
    [
      'a node handing over while stopping',
      { phase: 'stopping', view: statusView({ status: 'standby' }) },
      'standby',
    ],
    ['the peer lost (link disconnected)', running({ link: 'disconnected' }), 'attention'],
    [
      'the master unreachable (backup still dialling)',
      running({ mode: 'backup', status: 'active', link: 'connecting' }),
      'attention',
    ],
    ['a certificate waiting for approval', running({ link: 'pending-approval' }), 'attention'],
    ['a rejected certificate', running({ link: 'rejected' }), 'attention'],
    ['licenses that differ', running({ licenseMatch: 'mismatch' }), 'attention'],
    ['both nodes active (split brain, seen on the link)', running({ peerStatus: 'active' }), 'attention'],
    ['config changes of a healed split waiting for review', running({ conflicts: 2 }), 'attention'],
    ['this PC not set up yet', { phase: 'unconfigured' }, 'attention'],
    ['the node failed to start', { phase: 'failed', reason: 'API port 8088 is already in use' }, 'fault'],
    ['the peer link faulted', running({ link: 'faulted', linkReason: 'TLS handshake failed' }), 'fault'],
  ])('%s → %s', (_name, snapshot, expected) => {
    expect(trayState(snapshot).state).toBe(expected);
  });

  it('says why it asks for attention, most important first', () => {
    const { reasons } = trayState(running({ link: 'pending-approval', licenseMatch: 'mismatch' }));
    expect(reasons).toEqual(["backup's certificate waits for approval", 'licenses of the two nodes differ']);
  });

  it('counts the config changes of a split that wait for an operator', () => {
    expect(trayState(running({ conflicts: 1 })).reasons).toEqual(['1 config change of a split to review']);
    expect(trayState(running({ conflicts: 3 })).reasons).toEqual(['3 config changes of a split to review']);
  });

  it('fault wins over attention', () => {
    expect(trayState(running({ link: 'faulted', licenseMatch: 'mismatch' })).state).toBe('fault');
  });
});

describe('tray tooltip', () => {
  it("shows both nodes' status", () => {
    const { tooltip } = trayPresentation(running({ name: 'line-1' }), false);
    expect(tooltip).toBe('Tandem line-1\nThis PC (master): Running\nBackup: Standby');
  });

  it('shows the standby level of this node and an unreachable peer with the reason', () => {
    const { tooltip } = trayPresentation(
      running({ mode: 'backup', status: 'standby', link: 'connecting' }),
      false,
    );
    expect(tooltip).toBe(
      'Tandem line-1\nThis PC (backup): Standby (warm)\nMaster: unreachable\n! master unreachable',
    );
  });

  it('names the failure when the node is not running', () => {
    const { tooltip } = trayPresentation(
      { phase: 'failed', reason: 'API port 8088 is already in use' },
      false,
    );
    expect(tooltip).toContain('Node not running');
    expect(tooltip).toContain('API port 8088 is already in use');
  });

  it(`stays within ${TOOLTIP_MAX} characters (the Windows limit)`, () => {
    const { tooltip } = trayPresentation(running({ name: 'x'.repeat(120), link: 'pending-approval' }), false);
    expect(tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(tooltip.endsWith('…')).toBe(true);
  });
});

describe('tray menu', () => {
  it('offers open, start at login and quit; switch-over only for a pair', () => {
    expect(Object.keys(actions(trayMenu(running({ mode: 'independent', peer: null }), false)))).toEqual([
      'open-dashboard',
      'toggle-open-at-login',
      'quit',
    ]);
    expect(Object.keys(actions(trayMenu(running(), true)))).toEqual([
      'open-dashboard',
      'switch-over',
      'toggle-open-at-login',
      'quit',
    ]);
  });

  it('enables "Switch over to this node" only on a standby whose peer is connected and active', () => {
    expect(actions(trayMenu(running(), false))['switch-over']?.enabled).toBe(false);
    const standby = running({ mode: 'backup', status: 'standby', peerStatus: 'active' });
    expect(actions(trayMenu(standby, false))['switch-over']?.enabled).toBe(true);
    const lost = running({ mode: 'backup', status: 'standby', peerStatus: 'active', link: 'disconnected' });
    expect(actions(trayMenu(lost, false))['switch-over']?.enabled).toBe(false);
  });

  it('shows start at login as a checkbox with the current setting', () => {
    expect(actions(trayMenu(running(), true))['toggle-open-at-login']).toEqual({
      enabled: true,
      checked: true,
    });
    expect(actions(trayMenu(running(), false))['toggle-open-at-login']).toEqual({
      enabled: true,
      checked: false,
    });
  });

  it('offers a restart after a failed start, and set-up before the first run', () => {
    expect(actions(trayMenu({ phase: 'failed', reason: 'x' }, false))['start-node']?.enabled).toBe(true);
    const first = trayMenu({ phase: 'unconfigured' }, false)[0];
    expect(first).toMatchObject({ action: 'open-dashboard', label: 'Set up this PC…' });
  });

  it('disables Quit while the node is already stopping', () => {
    expect(actions(trayMenu({ phase: 'stopping', view: null }, false))['quit']?.enabled).toBe(false);
  });
});
