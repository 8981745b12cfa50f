export { startApiServer } from './server.ts';
export type { ApiOptions, ApiServer } from './server.ts';
export { eventsToCsv } from './events-csv.ts';
export { isAllowedHost } from './host-check.ts';
export { tokensEqual } from './token.ts';
