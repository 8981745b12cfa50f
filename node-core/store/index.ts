export { openDatabase, DATABASE_FILE } from './database.ts';
export type { Db, Transaction } from './database.ts';
export { MetaStore, SettingsStore } from './node-store.ts';
export { EventStore } from './event-store.ts';
export { CertificateStore } from './certificate-store.ts';
export { UserStore } from './user-store.ts';
export { startStoreThread } from './store-thread.ts';
export type { StoreThread } from './store-thread.ts';
export { WalSync } from './wal-sync.ts';
