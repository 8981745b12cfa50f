/**
 * The two peer-link frames of history forwarding: wire shapes, written once in protocol/peer-frames.ts (where
 * they are part of the peer frame union) and re-exported here for the forwarder.
 */
export {
  HISTORY_FRAMES,
  type HistoryFrame,
  type HistoryRequestFrame,
  type HistorySamplesFrame,
} from '../protocol/peer-frames.ts';
