/** History: samples of tag values, the warm standby's buffer, and forwarding between the two nodes. */
export { HistoryStore, toHistorySamples } from './history-store.ts';
export type {
  HistoryBucket,
  HistoryPoint,
  HistoryQuality,
  HistoryQueryResult,
  HistorySample,
  HistoryValue,
} from './history-store.ts';
export { WarmBuffer, detectionWindowMs } from './warm-buffer.ts';
export type { BufferedValue, DetectionTiming, WarmBufferOptions } from './warm-buffer.ts';
export { HistoryForwarder } from './history-forwarder.ts';
export type { HistoryForwarderOptions, HistoryForwarderPorts, PullResult } from './history-forwarder.ts';
export {
  HISTORY_FRAMES,
  historyFrameSchemas,
  historyRequestFrameSchema,
  historySamplesFrameSchema,
  historySampleSchema,
} from './history-frames.ts';
export type { HistoryFrame, HistoryRequestFrame, HistorySamplesFrame } from './history-frames.ts';
