export {
  hashPassword,
  verifyPassword,
  passwordProblem,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from './password.ts';
export { SessionStore, SESSION_DEFAULTS } from './sessions.ts';
export type { Session, SessionOptions } from './sessions.ts';
export { LoginLimiter, LOGIN_LIMIT_DEFAULTS } from './login-limiter.ts';
export type { LoginLimiterOptions } from './login-limiter.ts';
export { OperatorLogin, USER_NAME, USER_NAME_RULE } from './operator-login.ts';
export type { LoginOutcome, UserLookup } from './operator-login.ts';
