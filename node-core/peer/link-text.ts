/** The texts a peer link sends and keeps, cut to what they may hold, and the host part of the URL it dials. */

/** A WebSocket close reason may hold at most 123 bytes of UTF-8 (RFC 6455 5.5). */
const CLOSE_REASON_BYTES = 123;
/** A reason kept as the link's state or logged: a peer's text (a pair name) may be any length. */
const STATE_REASON_CHARS = 300;

/** `text` cut to what a close frame can carry, at a character boundary. */
export function closeReason(text: string): string {
  let reason = text.slice(0, CLOSE_REASON_BYTES);
  while (Buffer.byteLength(reason) > CLOSE_REASON_BYTES) reason = reason.slice(0, -1);
  // Never end on half a surrogate pair (it would go out as U+FFFD).
  return /[\uD800-\uDBFF]$/.test(reason) ? reason.slice(0, -1) : reason;
}

export function brief(text: string): string {
  return text.length > STATE_REASON_CHARS ? `${text.slice(0, STATE_REASON_CHARS)}…` : text;
}

export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
