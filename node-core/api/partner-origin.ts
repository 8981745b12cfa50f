/**
 * The partner's dashboard may read this node's API (docs/auth.md "Both nodes of a pair"): a dashboard served
 * by the peer reads this node directly, so that it can show the pair as this node sees it when its own node
 * stops answering. Allowed is exactly one origin, that of the peer's API as the peer named it in its hello
 * over the pair's mutually authenticated link; it is remembered across restarts, so a page loaded before the
 * link came up (its CSP written then) still reaches the peer. Every request still needs a token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface PartnerOriginMemory {
  get(): string | undefined;
  set(origin: string): void;
}

export class PartnerOrigin {
  readonly #peerApiUrl: () => string | null;
  readonly #memory: PartnerOriginMemory | null;
  #remembered: string | null | undefined;

  constructor(peerApiUrl: () => string | null, memory: PartnerOriginMemory | null = null) {
    this.#peerApiUrl = peerApiUrl;
    this.#memory = memory;
  }

  /** The origin of the peer's API: as its link says now, else as last known; null when never known. */
  get(): string | null {
    const now = originOf(this.#peerApiUrl());
    this.#remembered ??= this.#memory?.get() ?? null;
    if (now !== null && now !== this.#remembered) {
      this.#remembered = now;
      try {
        this.#memory?.set(now);
      } catch {
        // Kept in memory for this run; the next answer that names the peer tries to store it again.
        this.#remembered = null;
        return now;
      }
    }
    return now ?? this.#remembered;
  }

  /**
   * CORS for the partner's dashboard: its requests get `Access-Control-Allow-Origin`, and a preflight
   * (`OPTIONS` naming a method) is answered here, before any token check (a preflight carries none).
   * Answers true when it answered the request itself.
   */
  answer(request: FastifyRequest, reply: FastifyReply): boolean {
    const origin = request.headers.origin;
    if (!origin || !request.url.startsWith('/api/')) return false;
    void reply.header('vary', 'Origin');
    if (origin !== this.get()) return false;
    void reply.header('access-control-allow-origin', origin);
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return false;
    void reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PUT, DELETE')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send();
    return true;
  }
}

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
