/**
 * Runs in electron-main, but is pure: no Electron, no I/O. What the tray shows in "Monitor pairs" mode: the
 * worst state of everything watched (docs/monitor.md "In the desktop app"), in the same four images as a
 * node's tray (tray-state.ts), a tooltip with the count of pairs per verdict and the worst pair's headline, and
 * the menu.
 */
import { VERDICTS, type FleetView, type Verdict } from '../../node-core/monitor/index.ts';
import { VERDICT_WORDS } from './fleet-notices.ts';
import type { MonitorSnapshot } from './monitor-host.ts';
import {
  clip,
  closingItems,
  TOOLTIP_MAX,
  type TrayMenuItem,
  type TrayPresentation,
  type TrayState,
} from './tray-state.ts';

/** A pair's verdict as a tray state: no pair runs, or both do, is a fault; anything short of healthy asks for attention. */
const TRAY_STATE_OF: Readonly<Record<Verdict, TrayState>> = {
  split: 'fault',
  down: 'fault',
  'failed-over': 'attention',
  degraded: 'attention',
  unknown: 'attention',
  healthy: 'active',
};

/** The pairs from the most severe verdict (VERDICTS' order), then by name, as the fleet dashboard sorts them. */
function bySeverity(fleet: FleetView): FleetView['pairs'] {
  return [...fleet.pairs].sort(
    (a, b) => VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict) || a.key.localeCompare(b.key),
  );
}

function fleetTrayState(snapshot: MonitorSnapshot): { state: TrayState; reasons: string[] } {
  switch (snapshot.phase) {
    case 'failed':
      return { state: 'fault', reasons: [snapshot.reason] };
    case 'starting':
    case 'stopping':
    case 'stopped':
      return { state: 'standby', reasons: [] };
    case 'running': {
      const pairs = bySeverity(snapshot.fleet);
      const worst = pairs[0];
      const reasons = pairs.filter((p) => p.verdict !== 'healthy').map((p) => `${p.name}: ${p.headline}`);
      return { state: worst ? TRAY_STATE_OF[worst.verdict] : 'standby', reasons };
    }
  }
}

function fleetTrayTooltip(snapshot: MonitorSnapshot, reasons: readonly string[]): string {
  const lines = ['Tandem monitor'];
  switch (snapshot.phase) {
    case 'starting':
      lines.push('Starting…');
      break;
    case 'stopping':
      lines.push('Stopping…');
      break;
    case 'stopped':
      lines.push('Stopped');
      break;
    case 'failed':
      lines.push('Not watching');
      break;
    case 'running': {
      const { pairs } = snapshot.fleet;
      lines[0] = `Tandem monitor: ${pairs.length} pair${pairs.length === 1 ? '' : 's'}`;
      const counts = VERDICTS.map((verdict) => ({
        verdict,
        count: pairs.filter((p) => p.verdict === verdict).length,
      }))
        .filter((c) => c.count > 0)
        .map((c) => `${c.count} ${VERDICT_WORDS[c.verdict].toLowerCase()}`);
      lines.push(counts.join(', '));
      break;
    }
  }
  if (reasons[0]) lines.push(`! ${reasons[0]}`);
  return clip(lines.join('\n'), TOOLTIP_MAX);
}

function fleetTrayMenu(snapshot: MonitorSnapshot, openAtLogin: boolean): TrayMenuItem[] {
  const items: TrayMenuItem[] = [
    { kind: 'action', action: 'open-dashboard', label: 'Open fleet dashboard', enabled: true },
  ];
  if (snapshot.phase === 'failed') {
    items.push({ kind: 'action', action: 'start-node', label: 'Start the monitor again', enabled: true });
  }
  items.push(...closingItems(openAtLogin, snapshot.phase !== 'stopping'));
  return items;
}

export function fleetTrayPresentation(snapshot: MonitorSnapshot, openAtLogin: boolean): TrayPresentation {
  const { state, reasons } = fleetTrayState(snapshot);
  return {
    state,
    reasons,
    tooltip: fleetTrayTooltip(snapshot, reasons),
    menu: fleetTrayMenu(snapshot, openAtLogin),
  };
}
