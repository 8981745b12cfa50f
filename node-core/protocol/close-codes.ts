/** WebSocket close codes with a meaning of their own (4000–4999 are the application's). */

/** The peer link's. */
export const CloseCode = {
  badFrame: 4400,
  pendingApproval: 4401,
  rejected: 4403,
  faulted: 4409,
  replaced: 4410,
  goingAway: 1001,
} as const;

/** `/api/live`'s for a missing or wrong token, and for a session that ended (the dashboard signs out). */
export const LIVE_CLOSE_UNAUTHORIZED = 4401;
