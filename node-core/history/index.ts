/** History: samples of tag values, the warm standby's buffer, and forwarding between the two nodes. */
export { HistoryStore } from '../store/history-store.ts';
export type { HistoryPoint } from '../store/history-store.ts';
export { toHistorySamples } from './history-samples.ts';
export { WarmBuffer, detectionWindowMs } from './warm-buffer.ts';
export type { BufferedValue } from './warm-buffer.ts';
export { HistoryForwarder } from './history-forwarder.ts';
export { HISTORY_FRAMES } from './history-frames.ts';
export type { HistoryFrame } from './history-frames.ts';
