/**
 * Every frame on the peer link and the link's close codes: wire shapes, written once in protocol/ (which the
 * dashboard imports too) and re-exported here for the link and its users.
 */
export {
  eventKindsAccepted,
  MAX_FRAME_BYTES,
  parseFrame,
  type Hello,
  type PeerFrame,
} from '../protocol/peer-frames.ts';
export { CloseCode } from '../protocol/close-codes.ts';
export { EVENT_KINDS, LEGACY_EVENT_KINDS } from '../protocol/words.ts';
