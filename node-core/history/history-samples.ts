/** Turning tag values into history samples (the repository of samples is store/history-store.ts). */
import type { HistoryQuality, HistorySample, HistoryValue } from '../store/history-store.ts';

/** Polled or published values as samples recorded by `origin`. */
export function toHistorySamples(
  values: readonly {
    readonly name: string;
    readonly value: HistoryValue;
    readonly quality: HistoryQuality;
    readonly ts: number;
  }[],
  origin: string,
): HistorySample[] {
  return values.map((v) => ({ tag: v.name, ts: v.ts, value: v.value, quality: v.quality, origin }));
}
