/** Every frame on the peer link, as a schema: anything else closes the link (never crashes the node). */
import { z } from 'zod';
import { historyFrameSchemas } from '../history/history-frames.ts';
import { CONFIG_KINDS } from '../data/config-kind.ts';

const status = z.enum(['starting', 'active', 'standby', 'stopping']);
const mode = z.enum(['independent', 'master', 'backup']);
const reason = z.enum([
  'started independent',
  'backup connected as standby',
  'no backup within connection wait',
  'missed heartbeats',
  'clean hand-over',
  'operator request',
  'restore window',
  'automatic recovery',
  'manual recovery: backup is active',
  'waiting for restore window',
  'partition healed',
  'isolated',
  'no active node',
  'peer lost during recovery',
  'stopping',
]);

const licenseSchema = z.object({
  licensee: z.string(),
  modules: z.array(z.string()),
  limits: z.record(z.string(), z.number()),
  issuedAt: z.string(),
  expiresAt: z.string().nullable(),
});

const licenseState = z.discriminatedUnion('state', [
  z.object({ state: z.literal('valid'), license: licenseSchema }),
  z.object({ state: z.literal('expired'), license: licenseSchema }),
  z.object({ state: z.literal('missing') }),
  z.object({ state: z.literal('invalid'), reason: z.string() }),
]);

/** The event kinds every release of the peer link knows; a peer that does not list its own knows only these. */
export const LEGACY_EVENT_KINDS = [
  'role-change',
  'peer-lost',
  'peer-regained',
  'split-brain',
  'switchover-failed',
  'certificate-pending',
  'certificate-approved',
  'certificate-rejected',
  'license-mismatch',
  'full-resync',
  'device-fault',
  'device-recovered',
] as const;

/** Every event kind this node knows: the legacy ones, then those that a peer must list in its hello to get. */
export const EVENT_KINDS = [
  ...LEGACY_EVENT_KINDS,
  'misconfiguration',
  'settings-mismatch',
  'clock-skew',
] as const;
const eventKind = z.enum(EVENT_KINDS);
const knownKinds: ReadonlySet<string> = new Set(EVENT_KINDS);

export const failoverEventSchema = z.object({
  id: z.string().min(1).max(64),
  at: z.string(),
  kind: eventKind,
  node: mode,
  nodeId: z.string(),
  from: status.nullable(),
  to: status.nullable(),
  reason: z.string(),
  durationMs: z.number().nullable(),
});

/** The kinds of config item (node-core/data/config-kind.ts); `user` carries the pair's operator accounts. */
const configKind = z.enum(CONFIG_KINDS);

const configChange = z.object({
  seq: z.number().int().min(1),
  epoch: z.number().int().min(0),
  origin: z.string().max(64),
  op: z.enum(['put', 'delete']),
  kind: configKind,
  key: z.string().max(200),
  value: z.string().max(1_000_000).nullable(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.number(),
});
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
  quality: z.enum(['good', 'bad', 'uncertain']),
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

export const helloSchema = z.object({
  t: z.literal('hello'),
  protocol: z.literal(1),
  nodeId: z.string(),
  name: z.string(),
  mode,
  status,
  epoch: z.number().int().min(0),
  activeSince: z.number().nullable(),
  startedAt: z.string(),
  version: z.string(),
  apiUrl: z.string(),
  license: licenseState,
  /** Optional: a peer of an earlier version does not send it. */
  standby: z.enum(['cold', 'warm']).optional(),
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
      recovery: z.enum(['automatic', 'manual', 'window']),
      pingRateMs: z.number(),
      pingTimeoutMs: z.number(),
      missedPings: z.number(),
      failoverTimeMs: z.number(),
    })
    .optional(),
  /** The event kinds the sender accepts in an `events` frame; absent: only `LEGACY_EVENT_KINDS`. */
  eventKinds: z.array(z.string().max(64)).max(1000).optional(),
});

export const frameSchema = z.discriminatedUnion('t', [
  helloSchema,
  z.object({ t: z.literal('ping'), seq: z.number().int() }),
  /** `at`: the answering node's wall clock when it answered (optional: earlier versions do not send it). */
  z.object({ t: z.literal('pong'), seq: z.number().int(), at: z.number().optional() }),
  z.object({
    t: z.literal('state'),
    status,
    epoch: z.number().int().min(0),
    activeSince: z.number().nullable(),
    /** Since when the sender holds as standby after an operator's switch-over; earlier versions omit it. */
    heldSince: z.number().nullable().optional(),
  }),
  z.object({ t: z.literal('handover-request'), reason }),
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
        z.object({
          kind: configKind,
          key: z.string().max(200),
          definition: z.string().max(1_000_000),
        }),
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
  ...historyFrameSchemas,
]);

export type Hello = z.infer<typeof helloSchema>;
export type FailoverEventFrame = z.infer<typeof failoverEventSchema>;

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

/** Close codes with a meaning of their own (4000–4999 are the application's). */
export const CloseCode = {
  badFrame: 4400,
  pendingApproval: 4401,
  rejected: 4403,
  faulted: 4409,
  replaced: 4410,
  goingAway: 1001,
} as const;

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
