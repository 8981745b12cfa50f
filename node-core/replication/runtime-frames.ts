/**
 * A batch of runtime data (values, ledger entries, alarm states) as peer frames: cut by count and by size
 * (frame-parts.ts), in order, the ack id (if any) riding on the last frame, so one ack answers the batch.
 */
import type { PeerFrame } from '../peer/index.ts';
import type { AlarmState } from '../data/alarm-store.ts';
import { estimateBytes, splitByBudget } from './frame-parts.ts';
import type { LedgerEntry, TagValue } from '../data/runtime-store.ts';

/** What one runtime frame carries; alarm states travel with the values that caused them. */
export interface RuntimeBatch {
  readonly values: readonly TagValue[];
  readonly ledger: readonly LedgerEntry[];
  readonly alarms: readonly AlarmState[];
}

/** Most items in one frame (the frame schema allows more); frames are also cut by size. */
const RUNTIME_CHUNK = 10_000;

type Item =
  | { readonly kind: 'value'; readonly value: TagValue }
  | { readonly kind: 'ledger'; readonly entry: LedgerEntry }
  | { readonly kind: 'alarm'; readonly alarm: AlarmState };

export function runtimeFrames(batch: RuntimeBatch, ackId: string | null): PeerFrame[] {
  const items: Item[] = [
    ...batch.values.map((value) => ({ kind: 'value', value }) as const),
    ...batch.ledger.map((entry) => ({ kind: 'ledger', entry }) as const),
    ...batch.alarms.map((alarm) => ({ kind: 'alarm', alarm }) as const),
  ];
  const parts = splitByBudget(items, itemBytes, RUNTIME_CHUNK);
  return parts.map((part, i) => ({
    t: 'runtime',
    values: part.flatMap((item) => (item.kind === 'value' ? [item.value] : [])),
    ledger: part.flatMap((item) => (item.kind === 'ledger' ? [item.entry] : [])),
    alarms: part.flatMap((item) => (item.kind === 'alarm' ? [item.alarm] : [])),
    ackId: i === parts.length - 1 ? ackId : null,
  }));
}

function itemBytes(item: Item): number {
  switch (item.kind) {
    case 'value': {
      const v = item.value;
      return estimateBytes([v.name, typeof v.value === 'string' ? v.value : null, v.version.hlc], 128);
    }
    case 'ledger':
      return estimateBytes([item.entry.uid, item.entry.command, item.entry.result], 64);
    case 'alarm':
      return estimateBytes([item.alarm.id, item.alarm.ackedBy, item.alarm.version.hlc], 256);
  }
}
