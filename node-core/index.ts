/** node-core's public surface: one factory and the DTO types (style.md 5). */
export { createNode, ADMIN_TOKEN_FILE } from './node/create-node.ts';
export type { CreateNodeOptions, NodeDeps, RunningNode, SettingsOverrides } from './node/create-node.ts';
export type { TandemNode } from './node/tandem-node.ts';
export type { NodeSettings } from './node/settings.ts';
export type * from './dto.ts';
export { systemClock, ManualClock } from './clock/index.ts';
export type { Clock } from './clock/index.ts';
export { TandemError, UsageError, StartupError } from './errors.ts';
