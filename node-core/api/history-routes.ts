/**
 * History over the API: `GET /api/history/:tag?from=ISO&to=ISO&maxPoints=N`. Raw samples when the range
 * holds at most maxPoints of them, otherwise buckets with min, max, average and last value. Readable on
 * either node (a read needs no active node). Bad parameters answer 400 with a message naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { problem } from './problem.ts';
import { z } from 'zod';
import { TAG_NAME } from '../data/index.ts';
import type { HistoryPoint } from '../history/index.ts';
import type { HistoryQueries } from '../node/ports.ts';

export interface HistoryRouteOptions {
  /** Milliseconds since the epoch; defaults to the system time (the default range ends now). */
  readonly now?: () => number;
  /** When given, a tag that is neither configured nor in the history answers 404. */
  readonly tagExists?: (tag: string) => boolean;
}

const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_MAX_POINTS = 1000;
const MAX_POINTS_LIMIT = 10_000;

const instant = z
  .string()
  // One check, so a bad time is named once (a pattern and a parse apart both spoke for "1765000000000").
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 time, e.g. 2024-05-01T12:00:00Z',
  )
  .transform((s) => Date.parse(s));

const params = z.object({ tag: z.string().regex(TAG_NAME, 'must be 1–200 letters, digits or _ . - /') });
const query = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    maxPoints: z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_POINTS_LIMIT}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= MAX_POINTS_LIMIT, `must be a whole number from 1 to ${MAX_POINTS_LIMIT}`)
      .optional(),
  })
  .strict();

export function registerHistoryRoutes(
  app: FastifyInstance,
  history: HistoryQueries,
  options: HistoryRouteOptions = {},
): void {
  const now = options.now ?? Date.now;
  app.get('/api/history/:tag', (request, reply) => {
    const p = params.safeParse(request.params);
    if (!p.success) return reply.code(400).send(badRequest(p.error));
    const q = query.safeParse(request.query ?? {});
    if (!q.success) return reply.code(400).send(badRequest(q.error));
    const to = q.data.to ?? now();
    const from = q.data.from ?? to - DEFAULT_RANGE_MS;
    if (from > to) return reply.code(400).send(problem('BAD_REQUEST', 'from: must not be after to'));
    const { tag } = p.data;
    if (options.tagExists && !options.tagExists(tag) && !history.hasTag(tag))
      return reply.code(404).send(problem('NOT_FOUND', `no tag "${tag}"`));
    const result = history.query(tag, from, to, { maxPoints: q.data.maxPoints ?? DEFAULT_MAX_POINTS });
    const range = { tag, from: iso(from), to: iso(to) };
    if (result.kind === 'raw') return { ...range, kind: 'raw', samples: result.samples.map(point) };
    return {
      ...range,
      kind: 'buckets',
      bucketMs: result.bucketMs,
      buckets: result.buckets.map((b) => ({
        from: iso(b.from),
        to: iso(b.to),
        count: b.count,
        min: b.min,
        max: b.max,
        avg: b.avg,
        last: point(b.last),
        notGood: b.notGood,
      })),
    };
  });
}

function point(p: HistoryPoint): {
  ts: string;
  value: HistoryPoint['value'];
  quality: HistoryPoint['quality'];
} {
  return { ts: iso(p.ts), value: p.value, quality: p.quality };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function badRequest(error: z.ZodError): { error: { code: string; message: string } } {
  return problem(
    'BAD_REQUEST',
    error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
  );
}
