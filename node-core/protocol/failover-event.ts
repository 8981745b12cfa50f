/** One entry of the failover history: `GET /api/events`, a live `event` message, a peer's `events` frame. */
import { z } from 'zod';
import { eventKindSchema, modeSchema, statusSchema } from './words.ts';

export const failoverEventSchema = z.object({
  id: z.string().min(1).max(64),
  /** ISO-8601 time. */
  at: z.string(),
  kind: eventKindSchema,
  /** Which node of the pair: its mode (`master`, `backup`, `independent`). */
  node: modeSchema,
  nodeId: z.string(),
  from: statusSchema.nullable(),
  to: statusSchema.nullable(),
  reason: z.string(),
  durationMs: z.number().nullable(),
});
export type FailoverEvent = Readonly<z.infer<typeof failoverEventSchema>>;
