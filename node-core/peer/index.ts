export { PeerLink } from './peer-link.ts';
export type { PeerLinkEvents, PeerLinkOptions, TrustDecision } from './peer-link.ts';
export {
  CloseCode,
  EVENT_KINDS,
  eventKindsAccepted,
  LEGACY_EVENT_KINDS,
  MAX_FRAME_BYTES,
  parseFrame,
  frameSchema,
  failoverEventSchema,
} from './frames.ts';
export type { Hello, PeerFrame } from './frames.ts';
