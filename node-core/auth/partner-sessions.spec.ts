import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import type { PartnerSessionFrame } from '../protocol/peer-frames.ts';
import { OperatorLogin, PARTNER_ADMIN_USER, USER_NAME } from './operator-login.ts';
import { PartnerSessions } from './partner-sessions.ts';
import { SessionStore } from './sessions.ts';

const ANSWER_WITHIN_MS = 3000;
/** The certificate of the node that asks, as its partner's link knows it; and the other way round. */
const HERE_CERTIFICATE = 'a'.repeat(64);
const PARTNER_OF_PARTNER = 'b'.repeat(64);

/**
 * Two nodes' PartnerSessions joined by a link that hands each frame over at once (or holds them while
 * `link.hold` is set); the partner's sessions are opened by a real OperatorLogin over a map of accounts.
 */
function pair() {
  const clock = new ManualClock(1_000_000);
  const link = { up: true, offers: true, hold: false, held: [] as PartnerSessionFrame[] };
  const sentByPartner: PartnerSessionFrame[] = [];
  let next = 0;
  const here: PartnerSessions = new PartnerSessions({
    send: (frame) => (link.hold ? link.held.push(frame) : partner.onFrame(frame)),
    linked: () => link.up,
    partnerOffers: () => link.offers,
    partnerFingerprint: () => (link.up ? PARTNER_OF_PARTNER : null),
    clock,
    answerWithinMs: ANSWER_WITHIN_MS,
    newId: () => `s-${++next}`,
  });
  const partner: PartnerSessions = new PartnerSessions({
    send: (frame) => {
      sentByPartner.push(frame);
      here.onFrame(frame);
    },
    linked: () => link.up,
    partnerOffers: () => true,
    partnerFingerprint: () => (link.up ? HERE_CERTIFICATE : null),
    clock,
    answerWithinMs: ANSWER_WITHIN_MS,
  });
  const accounts = new Map([['ops', { passwordHash: 'unused', createdAt: 7 }]]);
  const login = new OperatorLogin(
    { get: (name) => accounts.get(name) },
    new SessionStore({ now: () => clock.now() }),
    undefined,
    {
      clock,
    },
  );
  partner.grantWith({
    open: (account, from) => login.openForPartner(account, from),
    endFor: (from) => login.endPartnerSessions(from),
  });
  return { here, partner, login, accounts, link, clock, sentByPartner };
}

describe('PartnerSessions: a session on the partner for this node’s caller', () => {
  it('the admin token gets a session of the partner’s own, of the user admin token, that its API accepts', async () => {
    const { here, login } = pair();
    const answer = await here.ask(null);
    if (answer.kind !== 'granted') throw new Error(answer.kind);
    expect(answer.grant.token).toMatch(/^[\w-]{43}$/);
    expect(answer.grant.user).toBe(PARTNER_ADMIN_USER);
    // A session as long as a login's.
    expect(login.sessions.sessionOf(answer.grant.token)?.expiresAt).toBe(answer.grant.expiresAt);
    expect(login.accepts(answer.grant.token)).toBe(true);
    // No account bears that name, yet the partner's rounds do not end the session as its user's removal.
    login.checkSessions();
    expect(login.accepts(answer.grant.token)).toBe(true);
    login.stop();
  });

  it('an account gets a session of the same account, which ends when the account is removed', async () => {
    const { here, login, accounts } = pair();
    const answer = await here.ask('ops');
    if (answer.kind !== 'granted') throw new Error(answer.kind);
    expect(answer.grant.user).toBe('ops');
    expect(login.accepts(answer.grant.token)).toBe(true);
    accounts.delete('ops');
    expect(login.accepts(answer.grant.token)).toBe(false);
    login.stop();
  });

  it('an account the partner does not hold yet is refused, in words', async () => {
    const { here, login } = pair();
    expect(await here.ask('newcomer')).toEqual({
      kind: 'refused',
      reason: 'no account "newcomer" on this node yet',
    });
    expect(login.sessions.size).toBe(0);
  });

  it('a logout ends the granted session like any other', async () => {
    const { here, login } = pair();
    const answer = await here.ask(null);
    if (answer.kind !== 'granted') throw new Error(answer.kind);
    expect(login.logout(answer.grant.token)).toBe(true);
    expect(login.accepts(answer.grant.token)).toBe(false);
    login.stop();
  });

  it('rejecting the certificate of the node that asked ends the sessions granted to it, and only those', async () => {
    const { here, partner, login } = pair();
    const granted = await here.ask(null);
    if (granted.kind !== 'granted') throw new Error(granted.kind);
    const ended = vi.fn();
    login.sessions.watch(granted.grant.token, ended);
    const local = login.sessions.open('ops', 7).token;
    expect(partner.trustWithdrawn('c'.repeat(64))).toBe(0);
    expect(login.accepts(granted.grant.token)).toBe(true);
    expect(partner.trustWithdrawn(HERE_CERTIFICATE)).toBe(1);
    expect(login.accepts(granted.grant.token)).toBe(false);
    expect(ended).toHaveBeenCalledWith('trust-withdrawn');
    // A session opened by a login on the partner itself rests on no certificate.
    expect(login.accepts(local)).toBe(true);
    login.stop();
  });

  it('a partner that grants nothing yet (no login made) refuses', async () => {
    const clock = new ManualClock();
    let partner: PartnerSessions | null = null;
    const here = new PartnerSessions({
      send: (frame) => partner?.onFrame(frame),
      linked: () => true,
      partnerOffers: () => true,
      partnerFingerprint: () => 'f'.repeat(64),
      clock,
      answerWithinMs: ANSWER_WITHIN_MS,
    });
    partner = new PartnerSessions({
      send: (frame) => here.onFrame(frame),
      linked: () => true,
      partnerOffers: () => true,
      partnerFingerprint: () => 'f'.repeat(64),
      clock,
      answerWithinMs: 1,
    });
    expect(await here.ask(null)).toEqual({ kind: 'refused', reason: 'this node opens no sessions' });
  });

  it('no link: answered at once, nothing sent', async () => {
    const { here, link, sentByPartner, login } = pair();
    link.up = false;
    expect(await here.ask(null)).toEqual({ kind: 'no-link' });
    expect(sentByPartner).toEqual([]);
    expect(login.sessions.size).toBe(0);
  });

  it('a partner of an earlier version (no partnerSessions in its hello) is never asked: its link would close', async () => {
    const { here, link, sentByPartner, login } = pair();
    link.offers = false;
    link.hold = true;
    expect(await here.ask(null)).toEqual({ kind: 'not-offered' });
    expect(link.held).toEqual([]);
    expect(sentByPartner).toEqual([]);
    expect(login.sessions.size).toBe(0);
  });

  it('no answer within the bound: said so once the node’s clock passes it; a late answer is dropped', async () => {
    const { here, partner, link, clock } = pair();
    link.hold = true;
    const settled = vi.fn();
    const answer = here.ask(null).then((a) => (settled(a), a));
    clock.advance(ANSWER_WITHIN_MS - 1);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    clock.advance(1);
    expect(await answer).toEqual({ kind: 'no-answer', afterMs: ANSWER_WITHIN_MS });
    // The request reaches the partner only now: its grant finds nobody waiting and changes nothing.
    for (const frame of link.held.splice(0)) partner.onFrame(frame);
    expect(settled).toHaveBeenCalledTimes(1);
  });

  it('the link going down answers what waits, as no link', async () => {
    const { here, link } = pair();
    link.hold = true;
    const answer = here.ask('ops');
    here.linkDown();
    expect(await answer).toEqual({ kind: 'no-link' });
  });

  it('an answer to no request (made up by the peer) is dropped', () => {
    const { here } = pair();
    expect(() =>
      here.onFrame({ t: 'session-grant', id: 'made-up', token: 't', user: 'u', expiresAt: 1 }),
    ).not.toThrow();
    expect(() => here.onFrame({ t: 'session-refused', id: 'made-up', reason: 'no' })).not.toThrow();
  });

  it('"admin token" is no account name: no account, and so no login, can take it', () => {
    expect(USER_NAME.test(PARTNER_ADMIN_USER)).toBe(false);
  });
});
