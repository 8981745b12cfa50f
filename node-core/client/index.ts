export { TandemClient, TandemClientError } from './tandem-client.ts';
export type { ClientOptions, CommandResult, LiveMessage } from './tandem-client.ts';
