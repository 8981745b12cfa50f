/**
 * `/api/live`: the messages a node pushes to the dashboard and to the client library over its WebSocket
 * (docs/contract.md). A reader takes what it understands: a message of another type is skipped (null), and so
 * is an entry of a list that does not name what it is about, so a node of a later version cannot break it.
 */
import { z } from 'zod';
import type { AlarmView, StatusView, TagValueView } from './api-dto.ts';
import type { FailoverEvent } from './failover-event.ts';
import { CONFIG_KINDS, type ConfigKind } from './words.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps the entries of a list that pass `keep`, drops the others. */
function listOf<T>(keep: (entry: unknown) => entry is T) {
  return z.array(z.unknown()).transform((entries) => entries.filter(keep));
}

const knownKinds: ReadonlySet<unknown> = new Set(CONFIG_KINDS);

const liveMessageSchema = z.discriminatedUnion('type', [
  /** The node's status, first on every connection and again whenever it changes (at least once a second). */
  z.object({
    type: z.literal('status'),
    status: z.custom<StatusView>((status) => isRecord(status) && isRecord(status['node'])),
  }),
  /** A new entry of the failover history; a status follows. */
  z.object({
    type: z.literal('event'),
    event: z.custom<FailoverEvent>((event) => isRecord(event) && typeof event['id'] === 'string'),
  }),
  /** Tag values that changed, batched: at most one entry per tag per batch. */
  z.object({
    type: z.literal('values'),
    values: listOf((v): v is TagValueView => isRecord(v) && typeof v['name'] === 'string'),
  }),
  /** Every alarm's state, after any of them changed. */
  z.object({
    type: z.literal('alarms'),
    alarms: listOf((a): a is AlarmView => isRecord(a) && typeof a['id'] === 'string'),
  }),
  /** Which kinds of config changed since the last batch: list them again. */
  z.object({
    type: z.literal('config'),
    kinds: listOf((k): k is ConfigKind => knownKinds.has(k)),
  }),
]);

/** A message as a reader gets it. */
export type LiveMessage = z.output<typeof liveMessageSchema>;

/** The live message in `text`, or null when it is not JSON or not a message this version knows. */
export function parseLiveMessage(text: string): LiveMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = liveMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The first message on a live socket, sent by the client: the admin token or an operator's session token. */
export interface LiveAuthMessage {
  readonly type: 'auth';
  readonly token: string;
}
