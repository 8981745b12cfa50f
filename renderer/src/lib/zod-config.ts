/**
 * The wire protocol's schemas (node-core/protocol/) run here on zod, which probes `new Function` to compile
 * fast object parsers. The dashboard's CSP allows no eval, so the probe was a reported CSP violation on every
 * page load (found by the e2e tests). Jitless parsing needs no eval, and the dashboard parses little. Each
 * entry (main.ts, fleet/main.ts) imports this first, before any schema is made.
 */
import { z } from 'zod';

z.config({ jitless: true });
