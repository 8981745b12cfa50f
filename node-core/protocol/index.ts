/**
 * The wire protocol: every shape that crosses a process boundary (peer frames, live messages, API answers,
 * settings rules, close codes, the words of the pair), written once. Environment-neutral: it imports zod and
 * nothing else (lint enforces it), so the node, the client library and the dashboard all run it.
 */
export * from './api-dto.ts';
export * from './close-codes.ts';
export * from './config-items.ts';
export * from './failover-event.ts';
export * from './license.ts';
export * from './live-messages.ts';
export * from './peer-frames.ts';
export * from './plant-settings.ts';
export * from './plant-views.ts';
export * from './settings.ts';
export * from './words.ts';
