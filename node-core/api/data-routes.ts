/**
 * Config and runtime data routes of contract.md. Changes are made on the active node only: a standby
 * answers 307 with the active node's address, so a client simply follows it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { alarmRuleSchema, DataError, TAG_NAME, tagDefinitionSchema, type ConfigKind } from '../data/index.ts';
import { configNameSchema } from '../data/tag-definition.ts';
import type { DataCommands, DataQueries, RoleQueries } from '../node/ports.ts';
import type { AlarmView, ConflictView, TagValueView } from '../dto.ts';
import { describeIssues, deviceDefinitionSchema } from '../acquisition/index.ts';
import { publicAccount } from '../auth/index.ts';

/** A name as stored: reads, writes and deletes reach every item, also one named before the rules for new names. */
const keyParams = z.object({ name: z.string().regex(TAG_NAME, 'must be 1–200 letters, digits or _ . - /') });
/** A name for new config: the rules of contract.md (no `.` or `..` part, `/` only between parts). */
const newKeyParams = z.object({ name: configNameSchema });
const ackBody = z
  .object({ by: z.string().min(1).max(200), uid: z.string().min(1).max(200).optional() })
  .strict();
const conflictParams = z.object({ id: z.string().min(1).max(200) });
const writeBody = z
  .object({
    value: z.union([z.number(), z.boolean(), z.string()]),
    uid: z.string().min(1).max(200).optional(),
  })
  .strict();

/** What the data routes reach of the node: its role (to redirect changes), the data to read and to change. */
export interface DataRoutePorts {
  readonly status: RoleQueries;
  readonly data: DataQueries;
  readonly commands: DataCommands;
}

export function registerDataRoutes(app: FastifyInstance, ports: DataRoutePorts): void {
  const { data, commands } = ports;
  const onlyActive = onlyOnActive(ports.status);

  registerConfigKind(app, ports, 'tags', 'tag', tagDefinitionSchema);
  registerConfigKind(app, ports, 'devices', 'device', deviceDefinitionSchema);
  registerConfigKind(app, ports, 'alarm-rules', 'alarm-rule', alarmRuleSchema);

  // Every configured tag's current value in one answer (the dashboard's first view of 10,000 tags).
  app.get('/api/tags', (): TagValueView[] => {
    const current = new Map(data.currentValues().map((v) => [v.name, v]));
    return data.configItems<object>('tag').map(({ key }) => {
      const value = current.get(key);
      return value ? tagValueView(value) : { name: key, value: null, quality: 'uncertain', ts: null };
    });
  });

  app.get('/api/tags/:name', (request, reply) => {
    const { name } = keyParams.parse(request.params);
    const value = data.readTag(name);
    if (!value) return reply.code(404).send(notFound(`no tag "${name}"`));
    return tagValueView(value);
  });

  app.post('/api/tags/:name/write', onlyActive, async (request) => {
    const { name } = keyParams.parse(request.params);
    const body = writeBody.parse(request.body ?? {});
    return commands.writeTag(name, body.value, body.uid);
  });

  app.get('/api/alarms', (): AlarmView[] => data.alarms());

  app.post('/api/alarms/:id/ack', onlyActive, async (request) => {
    const { id } = conflictParams.parse(request.params);
    const body = ackBody.parse(request.body ?? {});
    return commands.ackAlarm(id, body.by, body.uid);
  });

  // An operator account's password hash is never answered, also not as a conflict (auth/pair-accounts.ts).
  const shown = (kind: ConfigKind, value: unknown): unknown =>
    kind === 'user' ? publicAccount(value) : value;
  app.get('/api/config/conflicts', (): ConflictView[] =>
    data.conflicts().map((c) => ({
      ...c,
      value: shown(c.kind, c.value),
      current: shown(c.kind, data.configItem<object>(c.kind, c.key) ?? null),
    })),
  );

  app.post('/api/config/conflicts/:id/reapply', onlyActive, async (request, reply) => {
    const { id } = conflictParams.parse(request.params);
    const conflict = await commands.reapplyConflict(id);
    return conflict
      ? { reapplied: { ...conflict, value: shown(conflict.kind, conflict.value) } }
      : reply.code(404).send(notFound(`no conflict ${id}`));
  });

  app.delete('/api/config/conflicts/:id', onlyActive, (request, reply) => {
    const { id } = conflictParams.parse(request.params);
    const conflict = commands.discardConflict(id);
    return conflict
      ? { discarded: { ...conflict, value: shown(conflict.kind, conflict.value) } }
      : reply.code(404).send(notFound(`no conflict ${id}`));
  });
}

/** GET list, GET one, PUT and DELETE for one kind of config data, all validated the same way. */
function registerConfigKind(
  app: FastifyInstance,
  { status, data, commands }: DataRoutePorts,
  path: string,
  kind: ConfigKind,
  schema: z.ZodType,
): void {
  const onlyActive = onlyOnActive(status);
  const noun = kind.replace('-', ' ');
  app.get(`/api/config/${path}`, () =>
    data.configItems<object>(kind).map((t) => ({ name: t.key, ...t.definition })),
  );
  app.get(`/api/config/${path}/:name`, (request, reply) => {
    const { name } = keyParams.parse(request.params);
    const definition = data.configItem<object>(kind, name);
    return definition ? { name, ...definition } : reply.code(404).send(notFound(`no ${noun} "${name}"`));
  });
  // Many items at once (the dashboard's CSV import): every item checked first, none written if any is bad.
  app.post(
    `/api/config/${path}`,
    { ...onlyActive, bodyLimit: BULK_BODY_LIMIT_BYTES },
    async (request, reply) => {
      const checked = checkBulk(bulkBody.parse(request.body).items, schema);
      if (!checked.ok) return reply.code(400).send(bulkRefusal(noun, checked.problems));
      // All or none: one transaction, and with the peer linked one frame (docs/contract.md, "Config in bulk").
      await commands.putConfigAll(
        kind,
        checked.items.map(({ name, definition }) => ({ key: name, definition })),
      );
      return { written: checked.items.length };
    },
  );
  app.put(`/api/config/${path}/:name`, onlyActive, async (request) => {
    const { name } = newKeyParams.parse(request.params);
    const definition = schema.parse(request.body) as object;
    await commands.putConfig(kind, name, definition);
    return { name, ...definition };
  });
  app.delete(`/api/config/${path}/:name`, onlyActive, async (request, reply) => {
    const { name } = keyParams.parse(request.params);
    return (await commands.deleteConfig(kind, name))
      ? { name, deleted: true }
      : reply.code(404).send(notFound(`no ${noun} "${name}"`));
  });
}

/** The body of a bulk write: `{ items: [{ name, ...definition }] }`, at most BULK_MAX items. */
const BULK_MAX = 10_000;
/**
 * A bulk write's body may exceed the API's 1 MiB: 10,000 tags with descriptions and units come to about 2-3 MiB.
 * 8 MiB keeps the one frame that carries them to the peer well under the link's 32 MiB.
 */
const BULK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
const bulkBody = z
  .object({
    items: z
      .array(z.record(z.string(), z.unknown()), {
        error: 'must be a list of items, each { name, …definition }',
      })
      .min(1, 'must hold at least one item')
      .max(BULK_MAX, `at most ${BULK_MAX} items in one request`),
  })
  .strict();

interface BulkProblem {
  /** The item's place in `items`, from 0. */
  readonly index: number;
  readonly name: string | null;
  /** As a PUT of that item alone would answer it (`field: message; …`). */
  readonly message: string;
}

/**
 * A bulk write's items checked one by one, each as its own PUT would be (the same messages), and a name given
 * twice: every item parsed, or every bad one.
 */
function checkBulk(
  items: readonly Record<string, unknown>[],
  schema: z.ZodType,
): { ok: true; items: { name: string; definition: object }[] } | { ok: false; problems: BulkProblem[] } {
  const parsed: { name: string; definition: object }[] = [];
  const problems: BulkProblem[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const { name, ...fields } = item;
    const messages: string[] = [];
    const key = newKeyParams.safeParse({ name });
    if (!key.success) messages.push(describeIssues(key.error));
    else {
      const earlier = firstIndex.get(key.data.name);
      if (earlier === undefined) firstIndex.set(key.data.name, index);
      else messages.push(`name: "${key.data.name}" is item ${earlier} too; each name once`);
    }
    const definition = schema.safeParse(fields);
    if (!definition.success) messages.push(describeIssues(definition.error));
    if (messages.length > 0)
      problems.push({ index, name: typeof name === 'string' ? name : null, message: messages.join('; ') });
    else if (key.success && definition.success)
      parsed.push({ name: key.data.name, definition: definition.data as object });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, items: parsed };
}

function bulkRefusal(noun: string, problems: readonly BulkProblem[]): object {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return {
    error: {
      code: 'BAD_REQUEST',
      message: `nothing was written: ${problems.length} of the ${noun}s ${problems.length === 1 ? 'is' : 'are'} not valid; item ${first.index}: ${first.message}${more}`,
      items: problems,
    },
  };
}

export function onlyOnActive(node: RoleQueries): {
  preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
} {
  return { preHandler: (request, reply) => redirectUnlessActive(node, request, reply) };
}

/** A standby sends changes to the active node (307 keeps method and body); with none known, 503. */
async function redirectUnlessActive(
  node: RoleQueries,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (node.status === 'active') return;
  const activeApiUrl = node.activePeerApiUrl();
  if (activeApiUrl) {
    await reply
      .code(307)
      .header('location', new URL(request.url, activeApiUrl).toString())
      .send({
        error: {
          code: 'NOT_ACTIVE',
          message: `this node is ${node.status}; the active node is at ${activeApiUrl}`,
        },
      });
    return;
  }
  await reply.code(503).send({
    error: { code: 'NO_ACTIVE_NODE', message: `this node is ${node.status} and no active node is known` },
  });
}

function tagValueView(value: {
  name: string;
  value: TagValueView['value'];
  quality: TagValueView['quality'];
  ts: number | null;
}): TagValueView {
  return {
    name: value.name,
    value: value.value,
    quality: value.quality,
    ts: value.ts === null ? null : new Date(value.ts).toISOString(),
  };
}

function notFound(message: string): { error: { code: string; message: string } } {
  return { error: { code: 'NOT_FOUND', message } };
}

export const dataErrorStatus: Record<string, number> = {
  NOT_FOUND: 404,
  READ_ONLY: 409,
  BAD_REQUEST: 400,
  DEVICE_FAULT: 502,
  // A command uid given before for a different command (the message names that command and when).
  UID_REUSED: 409,
  // A change that lost to the same key's change on the peer during a split (it is in the conflict set).
  CONFLICT: 409,
  // A hand-over came between the route's check and the change: the client asks again (and is redirected).
  NOT_ACTIVE: 503,
};
export { DataError };
