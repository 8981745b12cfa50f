/**
 * What a node's settings ask of the parts TandemNode builds from them: the redundancy machine's config and
 * isolation probe, the peer link's options and the pair checks' (docs/redundancy.md). The callbacks that tie
 * each part to the node stay with the node.
 */
import type { Clock } from '../clock/index.ts';
import type { PeerLinkOptions } from '../peer/index.ts';
import { probeTcp, type RedundancyConfig } from '../redundancy/index.ts';
import type { Identity } from '../trust/index.ts';
import { isThisMachine, probeDial } from './dial-probe.ts';
import { pairingOf } from './hello.ts';
import type { PairChecksOptions } from './pair-checks.ts';
import type { NodeSettings } from './settings.ts';

export function redundancyConfigOf(s: NodeSettings): RedundancyConfig {
  return {
    mode: s.mode,
    recovery: s.recovery,
    restoreWindow: s.restoreWindow,
    isolationCheck: s.isolationCheck,
    timing: s.timing,
  };
}

/** Whether the isolation host answers (true when none is set), within the ping timeout. */
export function probeIsolationOf(s: NodeSettings): (answer: (reachable: boolean) => void) => void {
  return (answer) =>
    void (s.isolationCheck ? probeTcp(s.isolationCheck, s.timing.pingTimeoutMs) : Promise.resolve(true)).then(
      answer,
      () => answer(false),
    );
}

/** The master listens, the backup dials; a re-dial every ping, each step of a connection bounded by the ping timeout. */
export function peerLinkOptionsOf(
  s: NodeSettings,
  identity: Pick<Identity, 'keyPem' | 'certPem'>,
): Omit<PeerLinkOptions, 'trust' | 'hello' | 'checkHello' | 'clock' | 'logger'> {
  return {
    role: s.mode === 'master' ? 'listen' : 'dial',
    listenHost: s.peerHost,
    listenPort: s.peerPort,
    masterHost: s.masterHost,
    masterPort: s.masterPort,
    keyPem: identity.keyPem,
    certPem: identity.certPem,
    redialMs: s.timing.pingRateMs,
    // As long as a silent peer takes to count as lost: a TLS handshake and hello bounded by one ping timeout
    // (100 ms at the fastest timings) were cut under load, and the link flapped although both nodes ran.
    handshakeTimeoutMs: Math.max(s.timing.pingTimeoutMs, s.timing.failoverTimeMs),
  };
}

export function pairChecksOptionsOf(
  s: NodeSettings,
  nodeId: string,
  clock: Clock,
  record: PairChecksOptions['record'],
): PairChecksOptions {
  const masterHost = s.masterHost ?? '127.0.0.1';
  return {
    identity: { nodeId, name: s.name, mode: s.mode },
    pairing: pairingOf(s),
    clock,
    dialTarget:
      s.mode === 'backup' ? { host: masterHost, port: s.masterPort, local: isThisMachine(masterHost) } : null,
    probeEveryMs: s.timing.pingRateMs * s.timing.missedPings,
    probeTimeoutMs: s.timing.pingTimeoutMs,
    skewBoundMs: s.timing.pingTimeoutMs,
    probe: probeDial,
    record,
  };
}
