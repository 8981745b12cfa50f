export { openDatabase, DATABASE_FILE } from './database.ts';
export type { Db } from './database.ts';
export { MetaStore, SettingsStore } from './node-store.ts';
export { EventStore } from './event-store.ts';
export { CertificateStore } from './certificate-store.ts';
