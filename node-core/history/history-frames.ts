/**
 * The two peer-link frames of history forwarding. They belong in the peer frame union
 * (peer/frames.ts `frameSchema`): add `...historyFrameSchemas` to its list.
 */
import { z } from 'zod';

export const historySampleSchema = z.object({
  tag: z.string().min(1).max(200),
  ts: z.number().int(),
  value: z.union([z.number(), z.boolean(), z.string().max(65_536), z.null()]),
  quality: z.enum(['good', 'bad', 'uncertain']),
  origin: z.string().min(1).max(64),
});

/** "Send me what you hold after these instants": per origin, the newest ts the asking node holds. */
export const historyRequestFrameSchema = z.object({
  t: z.literal('history-request'),
  id: z.string().min(1).max(64),
  after: z
    .record(z.string().max(64), z.number().int())
    .refine((after) => Object.keys(after).length <= 1000, 'at most 1000 origins'),
});

/** One chunk of the answer; `more` means the asker should ask again from where this chunk ends. */
export const historySamplesFrameSchema = z.object({
  t: z.literal('history-samples'),
  id: z.string().min(1).max(64),
  samples: z.array(historySampleSchema).max(100_000),
  more: z.boolean(),
});

export const historyFrameSchemas = [historyRequestFrameSchema, historySamplesFrameSchema] as const;

/** The types of the two frames: the router hands them all to the gateway workload's forwarder. */
export const HISTORY_FRAMES = ['history-request', 'history-samples'] as const;

export type HistoryRequestFrame = z.infer<typeof historyRequestFrameSchema>;
export type HistorySamplesFrame = z.infer<typeof historySamplesFrameSchema>;
export type HistoryFrame = HistoryRequestFrame | HistorySamplesFrame;
