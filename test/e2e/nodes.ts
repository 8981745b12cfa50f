/**
 * Real master/backup pairs for the browser tests: test/integration's harness (real `tandem-node` processes,
 * fast timing), serving the dashboard build that global-setup.ts copied aside.
 */
import { inject } from 'vitest';
import { makePair, type Pair } from '../integration/harness.ts';

export interface PairOptions {
  readonly masterArgs?: string[];
  readonly backupArgs?: string[];
  /** `false`: neither node trusts the other's certificate yet (the operator approves on screen). */
  readonly trusted?: boolean;
  /** Wait until the backup is standby with the link connected (only for trusted pairs). */
  readonly formed?: boolean;
  /** Work the nodes need done before they start (a license file being written), run meanwhile. */
  readonly ready?: Promise<unknown>;
}

/** Nodes started from here on serve the dashboard build that global-setup.ts copied aside. */
export function serveBuiltDashboard(): void {
  // NodeProcess passes its environment to `tandem-node`, whose dashboard folder this picks.
  process.env['TANDEM_DASHBOARD_DIR'] = inject('dashboardDir');
}

export async function startPair(options: PairOptions = {}): Promise<Pair> {
  serveBuiltDashboard();
  // Its failure is reported where it is awaited below, not as an unhandled rejection meanwhile.
  options.ready?.catch(() => undefined);
  const pair = await makePair(options.masterArgs ?? [], options.backupArgs ?? [], {
    trusted: options.trusted ?? true,
  });
  try {
    await options.ready;
    // Together: the backup keeps trying until the master listens, and the master waits for the backup.
    await Promise.all([pair.master.start(), pair.backup.start()]);
    if (options.formed ?? options.trusted !== false)
      await pair.backup.waitStatus(
        (s) => s.node.status === 'standby' && s.peer?.link === 'connected' && s.peer.status === 'active',
        'the pair to form',
      );
    return pair;
  } catch (error) {
    await pair.stop();
    throw error;
  }
}
