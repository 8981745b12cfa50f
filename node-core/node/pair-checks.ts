/**
 * What a node tells its operator about the pairing itself, beyond up or down (docs/redundancy.md
 * "Misconfiguration" and "Clock skew"): a pairing that cannot work, settings that differ from the peer's, why
 * the master does not answer, and how far the peer's clock is off. Each cause is recorded in the failover
 * history once, not at every re-dial. Owns one timer (the dial probe); time comes from the injected clock.
 */
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { ClockSkewView, LinkState } from '../dto.ts';
import type { Hello } from '../peer/index.ts';
import { clockSkewed, describeOffset, PairClock, type OffsetSample } from '../redundancy/index.ts';
import {
  describeDialFailure,
  OWN_CERTIFICATE,
  settingsDifferences,
  type DialOutcome,
  type DialTarget,
  type PairIdentity,
  type PairingSettings,
} from './pairing.ts';

export type PairCheckEvent = 'misconfiguration' | 'settings-mismatch' | 'clock-skew';

export interface PairChecksOptions {
  readonly identity: PairIdentity;
  readonly pairing: PairingSettings;
  /** The node's own clock (the pair clock is made from it). */
  readonly clock: Clock;
  /** Where a backup dials its master; null on a master. */
  readonly dialTarget: DialTarget | null;
  /** How often to look again while the dial keeps failing: the time the backup takes to count its master down. */
  readonly probeEveryMs: number;
  /** How long one look may take: the ping timeout. */
  readonly probeTimeoutMs: number;
  /** A clock offset beyond this is a warning: the ping timeout (docs/redundancy.md "Clock skew" says why). */
  readonly skewBoundMs: number;
  probe(host: string, port: number, timeoutMs: number): Promise<DialOutcome>;
  record(kind: PairCheckEvent, reason: string): void;
}

export class PairChecks {
  /** The clock the pair records by: the master's (./redundancy/pair-clock.ts). */
  readonly pairClock: PairClock;
  readonly #o: PairChecksOptions;
  #misconfiguration: string | null = null;
  /** Causes recorded since the link was last up: each is recorded once, however often the re-dial meets it. */
  readonly #recorded = new Set<string>();
  /** Settings differences recorded in this run: each once, not at every link-up. */
  readonly #settingsRecorded = new Set<string>();
  #settingsDifferences: readonly string[] = [];
  #offset: OffsetSample | null = null;
  #skewed = false;
  #linkState: LinkState = 'disconnected';
  #linkedOnce = false;
  #dialProblem: string | null = null;
  #probeTimer: TimerHandle | null = null;
  #probing = false;
  #stopped = false;

  constructor(options: PairChecksOptions) {
    this.#o = options;
    this.pairClock = new PairClock(options.clock, options.identity.mode === 'backup');
  }

  get misconfiguration(): string | null {
    return this.#misconfiguration;
  }

  get settingsDifferences(): readonly string[] {
    return this.#settingsDifferences;
  }

  /** The latest estimate of the peer's clock minus this node's; null until a heartbeat measured it. */
  get clockOffset(): OffsetSample | null {
    return this.#offset;
  }

  get clockSkew(): ClockSkewView | null {
    if (!this.#skewed || !this.#offset) return null;
    return { offsetMs: this.#offset.offsetMs, errorMs: this.#offset.errorMs, boundMs: this.#o.skewBoundMs };
  }

  /** The peer link changed state (PeerLink's `state` event). */
  linkState(state: LinkState, reason: string | null): void {
    const previous = this.#linkState;
    this.#linkState = state;
    if (state === 'connected') {
      this.#linkedOnce = true;
      this.#misconfiguration = null;
      this.#recorded.clear();
    }
    if (state !== 'connecting') {
      this.#stopProbing();
      this.#dialProblem = null;
    } else if (reason === null || previous === 'connecting') {
      // A dial ended without a link (the first state of a dial names its URL): ask the network why.
      this.#startProbing();
    }
  }

  /**
   * This node's check refused the peer's hello (./pairing.ts `helloProblem`). Each node checks the other's
   * hello before it can read the other's refusal (each sends its hello first), and the checks are the same on
   * both, so each node finds the cause itself. A link `faulted` for other reasons (a connection without a
   * certificate: a scanner, a browser on the peer port) is no misconfiguration of the pair.
   */
  helloRefused(problem: string): void {
    this.#misconfigured(problem);
  }

  /** The peer presented a certificate; it is this node's own when `own`. */
  certificateSeen(own: boolean): void {
    if (own) this.#misconfigured(OWN_CERTIFICATE);
  }

  /** The link came up with the peer's hello, at `receivedAt` of this node's clock. */
  peerHello(hello: Hello, receivedAt: number): void {
    this.#settingsDifferences = settingsDifferences(this.#o.pairing, hello.pairing);
    const reason = `settings differ from the peer's: ${this.#settingsDifferences.join('; ')}`;
    if (this.#settingsDifferences.length > 0 && !this.#settingsRecorded.has(reason)) {
      this.#settingsRecorded.add(reason);
      this.#o.record('settings-mismatch', reason);
    }
    // A first estimate, until a heartbeat measures the offset: the hello left the peer before it arrived, so
    // this is the offset less the one-way delay, a few ms on a LAN.
    if (hello.at !== undefined && this.#offset === null) this.pairClock.peerOffset(hello.at - receivedAt);
  }

  /** A heartbeat measured the peer's clock (the best of the latest samples). */
  offsetMeasured(estimate: OffsetSample): void {
    this.#offset = estimate;
    this.pairClock.peerOffset(estimate.offsetMs);
    const skewed = clockSkewed(this.#skewed, estimate, this.#o.skewBoundMs);
    if (skewed && !this.#skewed) {
      const direction = estimate.offsetMs > 0 ? 'ahead of' : 'behind';
      this.#o.record(
        'clock-skew',
        `the peer's clock is ${describeOffset(estimate.offsetMs)} ${direction} this node's ` +
          `(± ${Math.ceil(estimate.errorMs)} ms), more than the ${this.#o.skewBoundMs} ms bound; ` +
          `the pair records by the master's clock`,
      );
    }
    this.#skewed = skewed;
  }

  /**
   * The link's reason, or a better one: why a backup's dial fails (a probe found out), or, on a master no
   * backup ever reached, that a master only waits.
   */
  linkReason(reason: string | null, port: number | null): string | null {
    if (this.#linkState === 'connecting' && this.#dialProblem) return this.#dialProblem;
    if (this.#o.identity.mode === 'master' && this.#linkState === 'disconnected' && !this.#linkedOnce) {
      return (
        `no backup has connected to port ${port ?? '?'} since this node started (a backup dials its master; ` +
        `if the other node runs as master too, neither dials)`
      );
    }
    return reason;
  }

  /**
   * The reason of a status change, with the cause when it hides one: a backup that takes over from a master
   * it never reached in this run did not miss heartbeats of a master that was there.
   */
  explain(reason: string, peerMet: boolean, linkReason: string | null): string {
    if (this.#o.identity.mode !== 'backup' || peerMet || reason !== 'missed heartbeats') return reason;
    const cause = this.#misconfiguration ?? this.#dialProblem ?? linkReason ?? 'no answer';
    return `${reason}: the master was never reached since this node started (${cause})`;
  }

  stop(): void {
    this.#stopped = true;
    this.#stopProbing();
  }

  #misconfigured(cause: string): void {
    this.#misconfiguration = cause;
    if (this.#recorded.has(cause)) return;
    this.#recorded.add(cause);
    this.#o.record('misconfiguration', cause);
  }

  #startProbing(): void {
    if (this.#stopped || !this.#o.dialTarget || this.#probing || this.#probeTimer) return;
    const target = this.#o.dialTarget;
    this.#probing = true;
    void this.#o.probe(target.host, target.port, this.#o.probeTimeoutMs).then((outcome) => {
      this.#probing = false;
      if (this.#stopped || this.#linkState !== 'connecting') return;
      this.#dialProblem = describeDialFailure(target, outcome);
      this.#probeTimer = this.#o.clock.setTimeout(() => {
        this.#probeTimer = null;
        if (this.#linkState === 'connecting') this.#startProbing();
      }, this.#o.probeEveryMs);
    });
  }

  #stopProbing(): void {
    if (this.#probeTimer) this.#o.clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
  }
}
