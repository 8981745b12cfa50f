/**
 * A license as a node shows it and sends it to its peer in the hello (docs/rules.md "Trust 3"). The license
 * file's own, stricter schema (every field signed) is node-core/license/license.ts.
 */
import { z } from 'zod';

const licenseSchema = z.object({
  licensee: z.string(),
  modules: z.array(z.string()),
  limits: z.record(z.string(), z.number()),
  /** ISO-8601. */
  issuedAt: z.string(),
  /** ISO-8601, or null for a license that does not expire. */
  expiresAt: z.string().nullable(),
});
export type License = z.infer<typeof licenseSchema>;

export const licenseStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('valid'), license: licenseSchema }),
  z.object({ state: z.literal('expired'), license: licenseSchema }),
  z.object({ state: z.literal('missing') }),
  z.object({ state: z.literal('invalid'), reason: z.string() }),
]);
export type LicenseState = z.infer<typeof licenseStateSchema>;
