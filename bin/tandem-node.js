#!/usr/bin/env node
// Runs the TypeScript entry directly (Node >= 22.18 strips types); release builds point here at dist/.
import '../node-core/cli/main.ts';
