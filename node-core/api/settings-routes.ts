/**
 * The node's own settings over the API: `GET /api/settings` answers the settings in effect and those saved
 * for the next start; `PUT /api/settings` with some or all fields checks them like a start would, saves them
 * in one transaction and answers what was saved, with warnings for settings that are valid but unwise.
 *
 * Settings belong to one node (each of a pair has its own ports, hosts and files), so a standby answers
 * these itself: no 307. They take effect when the node next starts; nothing here restarts it.
 */
import type { FastifyInstance } from 'fastify';
import { problem } from './problem.ts';
import {
  applySettingsChange,
  describeSettingsIssues,
  nodeSettingsSchema,
  settingsChangeSchema,
  settingsWarnings,
  type NodeSettings,
} from '../node/settings.ts';
import type { SettingsMemory } from '../node/ports.ts';
import type { SettingsSaved, SettingsView } from '../dto.ts';

/** `inEffect`: the settings the node runs with; `store`: those saved for its next start (none: 503 on PUT). */
export function registerSettingsRoutes(
  app: FastifyInstance,
  inEffect: NodeSettings,
  store: SettingsMemory | undefined,
): void {
  /** What the next start will use: the saved settings over those in effect (flags given then aside). */
  const saved = (): NodeSettings => {
    const stored = store?.load() ?? {};
    const storedTiming = (stored['timing'] ?? {}) as Partial<NodeSettings['timing']>;
    const parsed = nodeSettingsSchema.safeParse({
      ...inEffect,
      ...stored,
      timing: { ...inEffect.timing, ...storedTiming },
    });
    return parsed.success ? parsed.data : inEffect;
  };
  const pendingOf = (next: NodeSettings): NodeSettings | null =>
    canonical(next) === canonical(inEffect) ? null : next;

  app.get('/api/settings', (): SettingsView => ({ ...inEffect, pending: pendingOf(saved()) }));

  app.put('/api/settings', (request, reply) => {
    if (!store) return reply.code(503).send(problem('UNAVAILABLE', 'this node cannot save settings'));
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(400).send(problem('BAD_REQUEST', 'settings: must be an object of settings'));
    }
    // A GET answer may be sent back as it is: its `pending` is not a setting, just dropped.
    const fields: Record<string, unknown> = { ...body };
    delete fields['pending'];
    const change = settingsChangeSchema.safeParse(fields);
    if (!change.success) {
      return reply.code(400).send(problem('BAD_REQUEST', describeSettingsIssues(change.error)));
    }
    const next = nodeSettingsSchema.safeParse(applySettingsChange(saved(), change.data));
    if (!next.success) {
      return reply.code(400).send(problem('BAD_REQUEST', describeSettingsIssues(next.error)));
    }
    store.save(next.data);
    const answer: SettingsSaved = {
      saved: true,
      restartRequired: pendingOf(next.data) !== null,
      settings: next.data,
      warnings: settingsWarnings(next.data, inEffect),
    };
    return answer;
  });
}

/** The same settings give the same text, whatever order their keys came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
