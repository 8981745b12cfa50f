export {
  hashPassword,
  verifyPassword,
  passwordProblem,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from './password.ts';
export { SessionStore, SESSION_DEFAULTS } from './sessions.ts';
export type {
  Session,
  SessionEndListener,
  SessionEndReason,
  SessionOptions,
  SessionUser,
} from './sessions.ts';
export { LoginLimiter, LOGIN_LIMIT_DEFAULTS } from './login-limiter.ts';
export type { LoginLimiterOptions } from './login-limiter.ts';
export { OperatorLogin, OPERATOR_LOGIN_DEFAULTS, USER_NAME, USER_NAME_RULE } from './operator-login.ts';
export type { LoginOutcome, OperatorLoginOptions, UserLookup } from './operator-login.ts';
export { TokenLimiter } from './token-limiter.ts';
export { ACCOUNT_KIND, accountSchema, PairAccounts, publicAccount } from './pair-accounts.ts';
export type { Account, AccountDefinition, AccountSource } from './pair-accounts.ts';
export { OfflineAccounts } from './offline-accounts.ts';
export type { OfflineAccountChange } from './offline-accounts.ts';
