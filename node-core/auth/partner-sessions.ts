/**
 * A session on the partner node for a caller of this node (docs/auth.md "The admin token and the pair view"):
 * the admin token opens one node only and has no password to log in on the other with, so this node asks
 * its partner for a session over the pair's peer link. That link exists only between two nodes whose
 * certificates each approved the other's, so the trust behind the session is the pair's.
 *
 * Both sides are here: `ask` sends a `session-request` and waits, bounded, for its `session-grant` or
 * `session-refused`; a `session-request` from the partner is answered with what the granter (OperatorLogin)
 * opens. The frames reach this class only from a link that is up, that is after the peer's certificate was
 * trusted and its hello checked (node-core/peer/peer-link.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock/index.ts';
import { dispatchFrame, type FrameHandlers } from '../peer/frame-handlers.ts';
import type { PartnerSessionFrame, SessionRequestFrame } from '../protocol/peer-frames.ts';

/** A session the partner opened: its token, the user it runs as there, and when it ends (ms since the epoch). */
interface PartnerSessionGrant {
  readonly token: string;
  readonly user: string;
  readonly expiresAt: number;
}

export type PartnerSessionAnswer =
  | { readonly kind: 'granted'; readonly grant: PartnerSessionGrant }
  /** The partner answered no: `reason` is its own words (an account it does not hold yet). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** No link to the partner now (none, or it went down while waiting). */
  | { readonly kind: 'no-link' }
  /** The partner runs an earlier version, which opens no sessions for its peer (it is never asked). */
  | { readonly kind: 'not-offered' }
  | { readonly kind: 'no-answer'; readonly afterMs: number };

/** Opens and ends the sessions this node grants to its partner's callers (OperatorLogin). */
export interface SessionGranter {
  /**
   * A session for the partner's caller: `account` of the pair, or null for the partner's admin token;
   * `partner` is the fingerprint of the partner's certificate. Answers the session, or why not, in words
   * for the operator.
   */
  open(account: string | null, partner: string): PartnerSessionGrant | { readonly refused: string };
  /** Ends the sessions granted to the partner with this certificate; answers how many. */
  endFor(partner: string): number;
}

export interface PartnerSessionPorts {
  send(frame: PartnerSessionFrame): void;
  /** True while the link to the partner is up. */
  linked(): boolean;
  /** The partner said in its hello that it answers session requests (`partnerSessions`). */
  partnerOffers(): boolean;
  /** The fingerprint of the certificate the partner's link runs with, or null without a link. */
  partnerFingerprint(): string | null;
  readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** How long the partner has to answer (node/timing-bounds.ts). */
  readonly answerWithinMs: number;
  /** Request ids; tests pass a counter. */
  newId?(): string;
}

interface Waiting {
  readonly settle: (answer: PartnerSessionAnswer) => void;
  readonly timer: TimerHandle;
}

export class PartnerSessions {
  readonly #p: PartnerSessionPorts;
  readonly #waiting = new Map<string, Waiting>();
  #granter: SessionGranter | null = null;

  constructor(ports: PartnerSessionPorts) {
    this.#p = ports;
  }

  /** Who opens the sessions the partner asks for; until it is set, every request is refused. */
  grantWith(granter: SessionGranter): void {
    this.#granter = granter;
  }

  /**
   * This node rejected the certificate `fingerprint`: the sessions it granted to a partner with it end at
   * once, for they rest on the pair's trust. Answers how many ended.
   */
  trustWithdrawn(fingerprint: string): number {
    return this.#granter?.endFor(fingerprint) ?? 0;
  }

  /** Asks the partner for a session for `account` (null: this node's admin token). Never rejects. */
  ask(account: string | null): Promise<PartnerSessionAnswer> {
    if (!this.#p.linked()) return Promise.resolve({ kind: 'no-link' });
    if (!this.#p.partnerOffers()) return Promise.resolve({ kind: 'not-offered' });
    const id = this.#p.newId?.() ?? randomUUID();
    const afterMs = this.#p.answerWithinMs;
    return new Promise<PartnerSessionAnswer>((resolve) => {
      const timer = this.#p.clock.setTimeout(() => this.#settle(id, { kind: 'no-answer', afterMs }), afterMs);
      this.#waiting.set(id, { settle: resolve, timer });
      this.#p.send({ t: 'session-request', id, account });
    });
  }

  /** The link went down: no answer can come for what is waiting. */
  linkDown(): void {
    for (const id of [...this.#waiting.keys()]) this.#settle(id, { kind: 'no-link' });
  }

  onFrame(frame: PartnerSessionFrame): void {
    dispatchFrame(this.#handlers, frame);
  }

  readonly #handlers: FrameHandlers<PartnerSessionFrame> = {
    'session-request': (frame) => this.#grant(frame),
    'session-grant': ({ id, token, user, expiresAt }) =>
      this.#settle(id, { kind: 'granted', grant: { token, user, expiresAt } }),
    'session-refused': ({ id, reason }) => this.#settle(id, { kind: 'refused', reason }),
  };

  #grant(frame: SessionRequestFrame): void {
    const partner = this.#p.partnerFingerprint();
    const opened =
      partner === null
        ? { refused: 'the link to the partner is down' }
        : (this.#granter?.open(frame.account, partner) ?? { refused: 'this node opens no sessions' });
    this.#p.send(
      'refused' in opened
        ? { t: 'session-refused', id: frame.id, reason: opened.refused.slice(0, 500) }
        : {
            t: 'session-grant',
            id: frame.id,
            token: opened.token,
            user: opened.user,
            expiresAt: opened.expiresAt,
          },
    );
  }

  /** Answers the request `id` once; an answer to no request waiting (late, or made up) is dropped. */
  #settle(id: string, answer: PartnerSessionAnswer): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    this.#p.clock.clearTimeout(waiting.timer);
    waiting.settle(answer);
  }
}
