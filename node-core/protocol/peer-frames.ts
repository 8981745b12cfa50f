/**
 * Every frame on the peer link, as a schema: anything else closes the link (never crashes the node).
 * docs/redundancy.md describes the link; node-core/peer/ runs it.
 */
import { z } from 'zod';
import { alarmRuleSchema, deviceDefinitionSchema, tagDefinitionSchema } from './config-items.ts';
import { failoverEventSchema } from './failover-event.ts';
import { licenseStateSchema } from './license.ts';
import {
  configKindSchema,
  EVENT_KINDS,
  LEGACY_EVENT_KINDS,
  modeSchema,
  recoveryModeSchema,
  standbyLevelSchema,
  statusSchema,
  tagQualitySchema,
  transitionReasonSchema,
} from './words.ts';

const knownKinds: ReadonlySet<string> = new Set(EVENT_KINDS);

const historySampleSchema = z.object({
  tag: z.string().min(1).max(200),
  ts: z.number().int(),
  value: z.union([z.number(), z.boolean(), z.string().max(65_536), z.null()]),
  quality: tagQualitySchema,
  origin: z.string().min(1).max(64),
});

/** "Send me what you hold after these instants": per origin, the newest ts the asking node holds. */
const historyRequestFrameSchema = z.object({
  t: z.literal('history-request'),
  id: z.string().min(1).max(64),
  after: z
    .record(z.string().max(64), z.number().int())
    .refine((after) => Object.keys(after).length <= 1000, 'at most 1000 origins'),
});

/** One chunk of the answer; `more` means the asker should ask again from where this chunk ends. */
const historySamplesFrameSchema = z.object({
  t: z.literal('history-samples'),
  id: z.string().min(1).max(64),
  samples: z.array(historySampleSchema).max(100_000),
  more: z.boolean(),
});

export const historyFrameSchemas = [historyRequestFrameSchema, historySamplesFrameSchema] as const;

/** The types of the two history frames: the router hands them all to the gateway workload's forwarder. */
export const HISTORY_FRAMES = ['history-request', 'history-samples'] as const;

export type HistoryRequestFrame = z.infer<typeof historyRequestFrameSchema>;
export type HistorySamplesFrame = z.infer<typeof historySamplesFrameSchema>;
export type HistoryFrame = HistoryRequestFrame | HistorySamplesFrame;

/**
 * A session on the partner for a caller of the asking node (docs/auth.md "The admin token and the pair view"):
 * `account` is the caller's account of the pair, null for the asking node's admin token.
 */
const sessionRequestFrameSchema = z.object({
  t: z.literal('session-request'),
  id: z.string().min(1).max(64),
  account: z.string().min(1).max(64).nullable(),
});

/** The partner's answer: a session token of its own, as a login there answers it, or why not. */
const sessionGrantFrameSchema = z.object({
  t: z.literal('session-grant'),
  id: z.string().min(1).max(64),
  token: z.string().min(1).max(256),
  user: z.string().min(1).max(64),
  expiresAt: z.number().int(),
});
const sessionRefusedFrameSchema = z.object({
  t: z.literal('session-refused'),
  id: z.string().min(1).max(64),
  reason: z.string().max(500),
});

/** The types of the three session frames: the router hands them all to PartnerSessions (node-core/auth). */
export const PARTNER_SESSION_FRAMES = ['session-request', 'session-grant', 'session-refused'] as const;

export type SessionRequestFrame = z.infer<typeof sessionRequestFrameSchema>;
export type PartnerSessionFrame =
  SessionRequestFrame | z.infer<typeof sessionGrantFrameSchema> | z.infer<typeof sessionRefusedFrameSchema>;

/**
 * What a stored definition must be, by kind, checked as the API checks it: a trusted peer's frame with a tag
 * without a source was stored as it came and ended the node at its next poll (peer-port fuzz, seed 1205).
 * Accounts and certificate approvals are checked where they are read.
 */
const definitionSchemas: Partial<Record<z.infer<typeof configKindSchema>, z.ZodType>> = {
  tag: tagDefinitionSchema,
  device: deviceDefinitionSchema,
  'alarm-rule': alarmRuleSchema,
};

function checkDefinition(
  item: { kind: z.infer<typeof configKindSchema>; json: string | null },
  ctx: z.RefinementCtx,
  path: string,
): void {
  const schema = definitionSchemas[item.kind];
  if (schema === undefined || item.json === null) return;
  let definition: unknown;
  try {
    definition = JSON.parse(item.json);
  } catch {
    ctx.addIssue({ code: 'custom', path: [path], message: `not JSON for a ${item.kind}` });
    return;
  }
  const parsed = schema.safeParse(definition);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  ctx.addIssue({
    code: 'custom',
    path: [path],
    message: `not a valid ${item.kind}: ${where}${issue?.message ?? ''}`,
  });
}

const configChange = z
  .object({
    seq: z.number().int().min(1),
    epoch: z.number().int().min(0),
    origin: z.string().max(64),
    op: z.enum(['put', 'delete']),
    kind: configKindSchema,
    key: z.string().max(200),
    value: z.string().max(1_000_000).nullable(),
    checksum: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.number(),
  })
  .superRefine((c, ctx) => checkDefinition({ kind: c.kind, json: c.value }, ctx, 'value'));
const configHead = z.object({ seq: z.number().int().min(0), checksum: z.string().regex(/^[0-9a-f]{64}$/) });
/**
 * A follower's changes that the active node is not known to hold (after `since`, the last seq both held), sent
 * with its head so the active node merges them by key before it answers (docs/redundancy.md, "Merge by key").
 */
const unshared = z.object({
  since: z.number().int().min(0),
  changes: z.array(configChange).max(100_000),
});
const version = z.object({ epoch: z.number().int().min(0), hlc: z.string().max(128) });
const tagValue = z.object({
  name: z.string().max(200),
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  quality: tagQualitySchema,
  ts: z.number(),
  version,
});
const alarmState = z.object({
  id: z.string().max(200),
  active: z.boolean(),
  activatedAt: z.number().nullable(),
  // Optional: a peer of an earlier version sends none (the store derives it from activatedAt).
  occurrence: z.string().max(128).nullable().optional(),
  clearedAt: z.number().nullable(),
  acked: z.boolean(),
  ackedBy: z.string().max(200).nullable(),
  ackedAt: z.number().nullable(),
  version,
});
const ledgerEntry = z.object({
  uid: z.string().max(200),
  command: z.string().max(10_000),
  result: z.string().max(10_000),
  at: z.number(),
});

const helloSchema = z.object({
  t: z.literal('hello'),
  protocol: z.literal(1),
  nodeId: z.string(),
  name: z.string(),
  mode: modeSchema,
  status: statusSchema,
  epoch: z.number().int().min(0),
  activeSince: z.number().nullable(),
  startedAt: z.string(),
  version: z.string(),
  apiUrl: z.string(),
  license: licenseStateSchema,
  /** Optional: a peer of an earlier version does not send it. */
  standby: standbyLevelSchema.optional(),
  /** The sender's OPC UA port (0: no server), for the peer's FindServers (docs/opcua.md); earlier versions omit it. */
  opcuaPort: z.number().int().min(0).max(65535).optional(),
  /**
   * The sender's wall clock (ms since the epoch) when it sent the hello: a first estimate of the clock offset,
   * before the heartbeats measure it (docs/redundancy.md "Clock skew"). Optional, like everything below.
   */
  at: z.number().optional(),
  /** The settings both nodes should share, so that each can say where they differ (docs/redundancy.md). */
  pairing: z
    .object({
      recovery: recoveryModeSchema,
      pingRateMs: z.number(),
      pingTimeoutMs: z.number(),
      missedPings: z.number(),
      failoverTimeMs: z.number(),
    })
    .optional(),
  /** The event kinds the sender accepts in an `events` frame; absent: only `LEGACY_EVENT_KINDS`. */
  eventKinds: z.array(z.string().max(64)).max(1000).optional(),
  /**
   * The sender answers `session-request` (docs/auth.md "The admin token and the pair view"); absent: a peer of
   * an earlier version, whose link a frame it does not know would close, so it is never asked.
   */
  partnerSessions: z.boolean().optional(),
});

const frameSchema = z.discriminatedUnion('t', [
  helloSchema,
  z.object({ t: z.literal('ping'), seq: z.number().int() }),
  /** `at`: the answering node's wall clock when it answered (optional: earlier versions do not send it). */
  z.object({ t: z.literal('pong'), seq: z.number().int(), at: z.number().optional() }),
  z.object({
    t: z.literal('state'),
    status: statusSchema,
    epoch: z.number().int().min(0),
    activeSince: z.number().nullable(),
    /** Since when the sender holds as standby after an operator's switch-over; earlier versions omit it. */
    heldSince: z.number().nullable().optional(),
  }),
  z.object({ t: z.literal('handover-request'), reason: transitionReasonSchema }),
  z.object({ t: z.literal('handover-ack') }),
  z.object({ t: z.literal('handover-offer') }),
  z.object({ t: z.literal('goodbye') }),
  z.object({
    t: z.literal('events'),
    // An event of a kind this node does not know (a newer peer's) is skipped, not a reason to close the link.
    events: z
      .array(failoverEventSchema.extend({ kind: z.string().max(64) }))
      .max(10_000)
      .transform((events) => events.filter(isKnownEvent)),
  }),
  z.object({ t: z.literal('sync-request'), configHead, unshared: unshared.optional() }),
  z.object({ t: z.literal('config-head'), head: configHead, unshared: unshared.optional() }),
  z.object({ t: z.literal('config-changes'), changes: z.array(configChange).max(100_000) }),
  z.object({
    t: z.literal('config-snapshot'),
    head: configHead,
    items: z
      .array(
        z
          .object({
            kind: configKindSchema,
            key: z.string().max(200),
            definition: z.string().max(1_000_000),
          })
          .superRefine((i, ctx) => checkDefinition({ kind: i.kind, json: i.definition }, ctx, 'definition')),
      )
      .max(1_000_000),
    /** More parts of the same snapshot follow (a large one is cut to stay under MAX_FRAME_BYTES). */
    more: z.boolean().optional(),
  }),
  z.object({ t: z.literal('config-ack'), seq: z.number().int().min(0) }),
  z.object({
    t: z.literal('config-conflicts'),
    changes: z.array(configChange).max(100_000),
    // Conflicts resolved on the sender: the receiver drops its copies. Optional: older nodes do not send it.
    resolved: z.array(z.string().max(200)).max(100_000).optional(),
  }),
  z.object({ t: z.literal('config-conflict-resolved'), id: z.string().max(200) }),
  z.object({
    t: z.literal('runtime'),
    values: z.array(tagValue).max(1_000_000),
    ledger: z.array(ledgerEntry).max(1_000_000),
    alarms: z.array(alarmState).max(1_000_000).default([]),
    ackId: z.string().max(64).nullable(),
  }),
  z.object({ t: z.literal('runtime-ack'), ackId: z.string().max(64) }),
  z.object({ t: z.literal('sync-done') }),
  historyRequestFrameSchema,
  historySamplesFrameSchema,
  sessionRequestFrameSchema,
  sessionGrantFrameSchema,
  sessionRefusedFrameSchema,
]);

export type Hello = z.infer<typeof helloSchema>;
type FailoverEventFrame = z.infer<typeof failoverEventSchema>;

function isKnownEvent<E extends { kind: string }>(
  event: E,
): event is E & { kind: FailoverEventFrame['kind'] } {
  return knownKinds.has(event.kind);
}

/** The event kinds a peer accepts, from its hello: a peer of an earlier version names none and knows the legacy ones. */
export function eventKindsAccepted(hello: Hello): ReadonlySet<string> {
  return new Set(hello.eventKinds ?? LEGACY_EVENT_KINDS);
}
export type PeerFrame = z.infer<typeof frameSchema>;

/** Largest frame accepted; larger ones close the link (ws answers with close code 1009). */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

export function parseFrame(data: string): { ok: true; frame: PeerFrame } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const parsed = frameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `bad frame: ${issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'invalid'}`,
    };
  }
  return { ok: true, frame: parsed.data };
}
