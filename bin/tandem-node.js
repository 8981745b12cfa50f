#!/usr/bin/env node
// Runs the TypeScript entry directly (Node >= 22.18 strips types), for development. An installed service runs
// the bundle instead (npm run build:node → dist/node/node-core/tandem-node.js): it starts in half the time.
import '../node-core/cli/main.ts';
