/**
 * Runs in electron-main, but is pure: no Electron, no I/O. What the tray shows for a node: one of four states
 * (each its own image in assets/tray/), a tooltip with both nodes' status, and the menu, all computed from a
 * snapshot of the node (its lifecycle plus its StatusView, whose `peer.link` is the peer link's state).
 */
import type { LinkState, Mode, Status, StatusView } from '../../node-core/index.ts';

export type TrayState = 'active' | 'standby' | 'attention' | 'fault';

/** The node as the desktop sees it; `running` and `stopping` carry the node's own view. */
export type NodeSnapshot =
  | { readonly phase: 'unconfigured' }
  | { readonly phase: 'starting' }
  | { readonly phase: 'running'; readonly view: StatusView }
  | { readonly phase: 'stopping'; readonly view: StatusView | null }
  | { readonly phase: 'stopped' }
  /** Start failed, or the node stopped without being asked to. */
  | { readonly phase: 'failed'; readonly reason: string };

export type TrayAction = 'open-dashboard' | 'switch-over' | 'start-node' | 'toggle-open-at-login' | 'quit';

export type TrayMenuItem =
  | { readonly kind: 'separator' }
  | {
      readonly kind: 'action';
      readonly action: TrayAction;
      readonly label: string;
      readonly enabled: boolean;
      readonly checked?: boolean;
    };

export interface TrayPresentation {
  readonly state: TrayState;
  /** Why the state is attention or fault, most important first; empty otherwise. */
  readonly reasons: readonly string[];
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** Windows cuts tray tooltips at 127 characters; keep the whole text within that everywhere. */
export const TOOLTIP_MAX = 127;

export function trayState(snapshot: NodeSnapshot): { state: TrayState; reasons: string[] } {
  switch (snapshot.phase) {
    case 'failed':
      return { state: 'fault', reasons: [snapshot.reason] };
    case 'unconfigured':
      return { state: 'attention', reasons: ['this PC is not set up yet'] };
    case 'starting':
    case 'stopped':
      return { state: 'standby', reasons: [] };
    case 'stopping':
      return { state: snapshot.view?.node.status === 'active' ? 'active' : 'standby', reasons: [] };
    case 'running':
      return fromView(snapshot.view);
  }
}

function fromView(view: StatusView): { state: TrayState; reasons: string[] } {
  const peer = view.peer;
  if (peer?.link === 'faulted') {
    return { state: 'fault', reasons: [`peer link faulted${peer.linkReason ? `: ${peer.linkReason}` : ''}`] };
  }
  const reasons: string[] = [];
  if (peer) {
    const problem = linkProblem(peer.link, otherMode(view.node.mode));
    if (problem) reasons.push(problem);
    if (peer.link === 'connected' && view.node.status === 'active' && peer.status === 'active') {
      reasons.push('both nodes are active');
    }
  }
  if (view.licenseMatch === 'mismatch') reasons.push('licenses of the two nodes differ');
  const conflicts = view.sync.conflicts;
  if (conflicts > 0)
    reasons.push(
      `${conflicts === 1 ? '1 config change' : `${conflicts} config changes`} of a split to review`,
    );
  const license = view.node.license.state;
  if (license === 'expired' || license === 'invalid') reasons.push(`this node's license is ${license}`);
  if (reasons.length > 0) return { state: 'attention', reasons };
  return { state: view.node.status === 'active' ? 'active' : 'standby', reasons };
}

function linkProblem(link: LinkState, peerMode: string): string | null {
  switch (link) {
    case 'connected':
    case 'faulted':
      return null;
    case 'connecting':
    case 'disconnected':
      return `${peerMode} unreachable`;
    case 'pending-approval':
      return `${peerMode}'s certificate waits for approval`;
    case 'rejected':
      return `${peerMode}'s certificate is rejected`;
  }
}

function otherMode(mode: Mode): string {
  return mode === 'master' ? 'backup' : mode === 'backup' ? 'master' : 'peer';
}

function statusWord(status: Status, view?: StatusView): string {
  switch (status) {
    case 'active':
      return 'Running';
    case 'standby':
      return view ? `Standby (${view.node.standbyLevel})` : 'Standby';
    case 'starting':
      return 'Starting';
    case 'stopping':
      return 'Stopping';
  }
}

function trayTooltip(snapshot: NodeSnapshot, reasons: readonly string[]): string {
  const lines = ['Tandem'];
  switch (snapshot.phase) {
    case 'unconfigured':
      lines.push('Not set up: open Tandem to choose what this PC is');
      break;
    case 'starting':
      lines.push('Starting…');
      break;
    case 'stopped':
      lines.push('Stopped');
      break;
    case 'failed':
      lines.push('Node not running');
      break;
    case 'stopping':
    case 'running': {
      const view = snapshot.view;
      if (!view) {
        lines.push('Stopping…');
        break;
      }
      lines[0] = `Tandem ${view.node.name}`;
      const self =
        snapshot.phase === 'stopping' ? 'Stopping (handing over)' : statusWord(view.node.status, view);
      lines.push(`This PC (${view.node.mode}): ${self}`);
      if (view.peer) lines.push(`${capitalise(otherMode(view.node.mode))}: ${peerWord(view)}`);
      break;
    }
  }
  if (reasons[0] && !lines.some((line) => line.includes(reasons[0]!))) lines.push(`! ${reasons[0]}`);
  return clip(lines.join('\n'), TOOLTIP_MAX);
}

function peerWord(view: StatusView): string {
  const peer = view.peer!;
  switch (peer.link) {
    case 'connected':
      return peer.status ? statusWord(peer.status) : 'connected';
    case 'connecting':
    case 'disconnected':
      return 'unreachable';
    case 'pending-approval':
      return 'certificate waits for approval';
    case 'rejected':
      return 'certificate rejected';
    case 'faulted':
      return 'link faulted';
  }
}

export function trayMenu(snapshot: NodeSnapshot, openAtLogin: boolean): TrayMenuItem[] {
  const items: TrayMenuItem[] = [
    {
      kind: 'action',
      action: 'open-dashboard',
      label: snapshot.phase === 'unconfigured' ? 'Set up this PC…' : 'Open dashboard',
      enabled: true,
    },
  ];
  const view = snapshot.phase === 'running' ? snapshot.view : null;
  if (view?.peer) {
    items.push({
      kind: 'action',
      action: 'switch-over',
      label: 'Switch over to this node',
      // Only a standby with a connected, active peer can take over by request (docs/rules.md "Roles 6").
      enabled:
        view.node.status === 'standby' && view.peer.link === 'connected' && view.peer.status === 'active',
    });
  }
  if (snapshot.phase === 'failed') {
    items.push({ kind: 'action', action: 'start-node', label: 'Start the node again', enabled: true });
  }
  items.push(...closingItems(openAtLogin, snapshot.phase !== 'stopping'));
  return items;
}

/** The end of every tray menu, a node's or the monitor's: start at login, and quit. */
export function closingItems(openAtLogin: boolean, canQuit: boolean): TrayMenuItem[] {
  return [
    { kind: 'separator' },
    {
      kind: 'action',
      action: 'toggle-open-at-login',
      label: 'Start at login',
      enabled: true,
      checked: openAtLogin,
    },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: 'Quit Tandem', enabled: canQuit },
  ];
}

export function trayPresentation(snapshot: NodeSnapshot, openAtLogin: boolean): TrayPresentation {
  const { state, reasons } = trayState(snapshot);
  return { state, reasons, tooltip: trayTooltip(snapshot, reasons), menu: trayMenu(snapshot, openAtLogin) };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
