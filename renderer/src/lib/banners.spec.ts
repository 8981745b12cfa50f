import { describe, expect, it } from 'vitest';
import { certificate, FP_NODE, FP_OTHER, FP_PEER, statusView } from '../test/fixtures.ts';
import { bannersFor } from './banners.ts';

describe('bannersFor', () => {
  it('is empty for a healthy pair', () => {
    expect(bannersFor({ status: statusView(), statusProblem: null, certificates: [] })).toEqual([]);
  });

  it('asks for a review when config changes of a split wait in the conflict set', () => {
    expect(
      bannersFor({ status: statusView({ conflicts: 3 }), statusProblem: null, certificates: [] }),
    ).toEqual([{ kind: 'config-conflicts', count: 3 }]);
  });

  it('orders the banners most urgent first', () => {
    const banners = bannersFor({
      status: statusView({
        peer: { link: 'faulted', linkReason: 'tls' },
        licenseMatch: 'mismatch',
        licenseDifferences: ['x'],
      }),
      statusProblem: { status: 0, code: 'UNREACHABLE', message: 'down' },
      certificates: [certificate({ fingerprint: FP_OTHER })],
    });
    expect(banners.map((b) => b.kind)).toEqual([
      'node-unreachable',
      'peer-unreachable',
      'certificate-pending',
      'license-mismatch',
    ]);
  });

  it('asks to switch back only on the standby master with a running backup', () => {
    const here = bannersFor({
      status: statusView({
        node: { mode: 'master', status: 'standby' },
        peer: { mode: 'backup', status: 'active' },
      }),
      statusProblem: null,
      certificates: null,
    });
    expect(here).toEqual([{ kind: 'switch-back-here' }]);

    const transient = bannersFor({
      status: statusView({
        node: { mode: 'master', status: 'standby' },
        peer: { link: 'connecting', status: 'active' },
      }),
      statusProblem: null,
      certificates: null,
    });
    expect(transient.map((b) => b.kind)).toEqual(['peer-unreachable']);
  });

  it('misconfiguration: says why the nodes cannot pair, instead of "peer unreachable"', () => {
    const reason = 'both nodes run as master: a pair is one master and one backup';
    expect(
      bannersFor({
        status: statusView({
          misconfiguration: reason,
          peer: { link: 'faulted', linkReason: reason, status: null },
        }),
        statusProblem: null,
        certificates: [],
      }),
    ).toEqual([{ kind: 'misconfiguration', reason }]);
  });

  it('settings mismatch: lists the settings that differ from the peer', () => {
    const differences = ['ping rate: 1000 ms here, 500 ms on the peer'];
    expect(
      bannersFor({
        status: statusView({ settingsDifferences: differences }),
        statusProblem: null,
        certificates: [],
      }),
    ).toEqual([{ kind: 'settings-mismatch', differences }]);
  });

  it("clock skew: warns while the peer's clock is off by more than the bound", () => {
    expect(
      bannersFor({
        status: statusView({ clockSkew: { offsetMs: -3_600_000, errorMs: 1, boundMs: 3000 } }),
        statusProblem: null,
        certificates: [],
      }),
    ).toEqual([{ kind: 'clock-skew', offsetMs: -3_600_000, boundMs: 3000 }]);
  });

  it("database damaged: the node's line about it, first of what the node itself says", () => {
    const summary = 'database /var/lib/tandem/tandem.db is damaged: SQLite found 1 problem';
    expect(
      bannersFor({
        status: statusView({ databaseDamage: summary, conflicts: 2 }),
        statusProblem: null,
        certificates: [],
      }).map((banner) => banner.kind),
    ).toEqual(['database-damaged', 'config-conflicts']);
    expect(
      bannersFor({ status: statusView({ databaseDamage: summary }), statusProblem: null, certificates: [] }),
    ).toEqual([{ kind: 'database-damaged', summary }]);
  });

  it('leaves a refused token to the sign-in page', () => {
    expect(
      bannersFor({
        status: null,
        statusProblem: { status: 401, code: 'UNAUTHORIZED', message: 'no' },
        certificates: null,
      }),
    ).toEqual([]);
  });

  describe('certificate approval (issue 16)', () => {
    it('a certificate pending here: the banner names it, waiting on this node', () => {
      const banners = bannersFor({
        status: statusView({
          peer: {
            link: 'pending-approval',
            linkReason: `approve peer certificate ${FP_PEER} on this node`,
            fingerprint: null,
          },
        }),
        statusProblem: null,
        certificates: [certificate({ fingerprint: FP_PEER, state: 'pending' })],
      });
      expect(banners).toEqual([{ kind: 'certificate-pending', waitingOn: 'here', fingerprints: [FP_PEER] }]);
    });

    it('the link names a certificate the list does not have yet: it waits here', () => {
      const banners = bannersFor({
        status: statusView({
          peer: {
            link: 'pending-approval',
            linkReason: `approve peer certificate ${FP_OTHER} on this node`,
            fingerprint: null,
          },
        }),
        statusProblem: null,
        certificates: [],
      });
      expect(banners).toEqual([{ kind: 'certificate-pending', waitingOn: 'here', fingerprints: [FP_OTHER] }]);
    });

    it("approved here: the banner says what is still missing, the peer's approval of this node's certificate", () => {
      const banners = bannersFor({
        status: statusView({
          peer: {
            link: 'pending-approval',
            linkReason: 'waiting for approval on the peer',
            fingerprint: FP_PEER,
          },
        }),
        statusProblem: null,
        certificates: [certificate({ fingerprint: FP_PEER, state: 'trusted' })],
      });
      expect(banners).toEqual([
        { kind: 'certificate-pending', waitingOn: 'peer', fingerprints: [FP_NODE], approvedHere: true },
      ]);
    });

    it('approved here while the link still names the certificate: nothing more waits here', () => {
      const banners = bannersFor({
        status: statusView({
          peer: { link: 'pending-approval', linkReason: `approve peer certificate ${FP_PEER} on this node` },
        }),
        statusProblem: null,
        certificates: [certificate({ fingerprint: FP_PEER, state: 'trusted' })],
      });
      expect(banners).toEqual([
        { kind: 'certificate-pending', waitingOn: 'peer', fingerprints: [FP_NODE], approvedHere: true },
      ]);
    });

    it('the peer waits for its operator and this node has approved nothing: it says only that', () => {
      const banners = bannersFor({
        status: statusView({
          peer: {
            link: 'pending-approval',
            linkReason: 'waiting for approval on the peer',
            fingerprint: null,
          },
        }),
        statusProblem: null,
        certificates: [],
      });
      expect(banners).toEqual([
        { kind: 'certificate-pending', waitingOn: 'peer', fingerprints: [FP_NODE], approvedHere: false },
      ]);
    });
  });
});
