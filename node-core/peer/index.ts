export { PeerLink } from './peer-link.ts';
export type { PeerLinkOptions } from './peer-link.ts';
export { EVENT_KINDS, eventKindsAccepted, LEGACY_EVENT_KINDS } from './frames.ts';
export type { Hello, PeerFrame } from './frames.ts';
