/** The API's error body (docs/contract.md "Errors"), and the one answer every rate limit gives. */
import type { FastifyReply } from 'fastify';

export interface Problem {
  readonly error: { readonly code: string; readonly message: string };
}

export function problem(code: string, message: string): Problem {
  return { error: { code, message } };
}

/** 429 with Retry-After in whole seconds; `what` words the refusal with those seconds. */
export function tooManyAttempts(
  reply: FastifyReply,
  retryAfterMs: number,
  what: (seconds: number) => string,
): FastifyReply {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .send(problem('TOO_MANY_ATTEMPTS', what(seconds)));
}
