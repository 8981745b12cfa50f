/**
 * Config and runtime data routes of contract.md. Changes are made on the active node only: a standby
 * answers 307 with the active node's address, so a client simply follows it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DataError, TAG_NAME, tagDefinitionSchema } from '../data/index.ts';
import type { TandemNode } from '../node/tandem-node.ts';

const tagParams = z.object({ name: z.string().regex(TAG_NAME, 'must be 1–200 letters, digits or _ . - /') });
const conflictParams = z.object({ id: z.string().min(1).max(200) });
const writeBody = z
  .object({
    value: z.union([z.number(), z.boolean(), z.string()]),
    uid: z.string().min(1).max(200).optional(),
  })
  .strict();

export function registerDataRoutes(app: FastifyInstance, node: TandemNode): void {
  const onlyActive = {
    preHandler: (request: FastifyRequest, reply: FastifyReply) => redirectUnlessActive(node, request, reply),
  };

  app.get('/api/config/tags', () =>
    node.data.config.listTags().map((t) => ({ name: t.name, ...t.definition })),
  );

  app.get('/api/config/tags/:name', (request, reply) => {
    const { name } = tagParams.parse(request.params);
    const definition = node.data.config.getTag(name);
    return definition ? { name, ...definition } : reply.code(404).send(notFound(`no tag "${name}"`));
  });

  app.put('/api/config/tags/:name', onlyActive, async (request) => {
    const { name } = tagParams.parse(request.params);
    const definition = tagDefinitionSchema.parse(request.body);
    await node.data.putConfig('tag', name, definition);
    return { name, ...definition };
  });

  app.delete('/api/config/tags/:name', onlyActive, async (request, reply) => {
    const { name } = tagParams.parse(request.params);
    return (await node.data.deleteConfig('tag', name))
      ? { name, deleted: true }
      : reply.code(404).send(notFound(`no tag "${name}"`));
  });

  app.get('/api/tags/:name', (request, reply) => {
    const { name } = tagParams.parse(request.params);
    const value = node.data.readTag(name);
    if (!value) return reply.code(404).send(notFound(`no tag "${name}"`));
    return {
      name: value.name,
      value: value.value,
      quality: value.quality,
      ts: value.ts === null ? null : new Date(value.ts).toISOString(),
    };
  });

  app.post('/api/tags/:name/write', onlyActive, async (request) => {
    const { name } = tagParams.parse(request.params);
    const body = writeBody.parse(request.body ?? {});
    return node.data.writeTag(name, body.value, body.uid);
  });

  app.get('/api/config/conflicts', () => node.data.config.listConflicts());

  app.post('/api/config/conflicts/:id/reapply', onlyActive, async (request, reply) => {
    const { id } = conflictParams.parse(request.params);
    const conflict = await node.data.reapplyConflict(id);
    return conflict ? { reapplied: conflict } : reply.code(404).send(notFound(`no conflict ${id}`));
  });

  app.delete('/api/config/conflicts/:id', onlyActive, (request, reply) => {
    const { id } = conflictParams.parse(request.params);
    const conflict = node.data.discardConflict(id);
    return conflict ? { discarded: conflict } : reply.code(404).send(notFound(`no conflict ${id}`));
  });
}

/** A standby sends changes to the active node (307 keeps method and body); with none known, 503. */
async function redirectUnlessActive(
  node: TandemNode,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (node.status === 'active') return;
  const peer = node.statusView().peer;
  if (peer?.status === 'active' && peer.apiUrl) {
    await reply
      .code(307)
      .header('location', new URL(request.url, peer.apiUrl).toString())
      .send({
        error: {
          code: 'NOT_ACTIVE',
          message: `this node is ${node.status}; the active node is at ${peer.apiUrl}`,
        },
      });
    return;
  }
  await reply.code(503).send({
    error: { code: 'NO_ACTIVE_NODE', message: `this node is ${node.status} and no active node is known` },
  });
}

function notFound(message: string): { error: { code: string; message: string } } {
  return { error: { code: 'NOT_FOUND', message } };
}

export const dataErrorStatus: Record<string, number> = { NOT_FOUND: 404, READ_ONLY: 409, BAD_REQUEST: 400 };
export { DataError };
