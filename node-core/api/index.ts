export { startApiServer } from './server.ts';
export type { ApiServer } from './server.ts';
