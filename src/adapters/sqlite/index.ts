/**
 * `botknobs/sqlite`: the registry in a SQLite file on Node (`better-sqlite3` 12), Bun
 * (`bun:sqlite`) and Deno (`node:sqlite`) — {@link SqliteRecordStore}, with D1's tables — an
 * event bus the processes sharing the file hear each other on ({@link SqliteEventBus}), a lock
 * that dies with its process ({@link SqliteLock}), search in one with FTS5
 * ({@link SqliteSearchIndex}, D1's search tables), and the one small driver interface they run
 * on. The driver loads when a store opens. The seed's `createRegistryBackend("sqlite", { path,
 * table })` is `botknobs/node`'s.
 * @module
 */
export {
  openSqliteDatabase,
  runtimeSqliteDriver,
  SQLITE_BUSY_TIMEOUT_MS,
  type SqliteDriverName,
} from "./sqlite-driver.ts";
export { SqliteEventBus, type SqliteEventBusOptions } from "./sqlite-event-bus.ts";
export { SqliteLock, type SqliteLockOptions } from "./sqlite-lock.ts";
export { SqliteRecordStore, type SqliteRecordStoreOptions } from "./sqlite-record-store.ts";
export { SqliteSearchIndex, type SqliteSearchIndexOptions } from "./sqlite-search-index.ts";
export type { SqliteDatabaseLike, SqliteStatementLike } from "./types.ts";
