/**
 * `botknobs/browser`: botknobs in the browser and its workers, offline, shared by the tabs of
 * one origin. The registry with its history in IndexedDB ({@link IndexedDBRecordStore}, under
 * `StoreRegistryBackend`), knowledge files and a persisted search index in IndexedDB
 * ({@link IndexedDBBlobStore}, under `BlobKnowledgeBackend` and `BlobSearchIndex`), both in a
 * database of their own (default `"botknobs"`); and {@link BroadcastChannelEventBus}, on which a
 * write in one tab reaches the caches of the others, with a replay log in the same database for a
 * tab back from sleep. {@link BrowserSync} mirrors a botknobs server into those stores (offline
 * after), and {@link WorkerIngestionScheduler} with {@link serveIngestion} ingests in a Web Worker.
 * `idb-keyval` serves single-key reads; multi-store transactions are plain
 * IndexedDB (see `browser-database.ts` for why).
 * @module
 */
export { IndexedDBBlobStore, type IndexedDBBlobStoreOptions } from "./browser-blob-store.ts";
export {
  BrowserDatabase,
  type BrowserDatabaseOptions,
  DEFAULT_DB_NAME,
  deleteBrowserDatabase,
  OBJECT_STORES,
  type ObjectStoreName,
} from "./browser-database.ts";
export {
  BroadcastChannelEventBus,
  type BroadcastChannelEventBusOptions,
} from "./browser-event-bus.ts";
export type { LogPosition, LogRow } from "./browser-event-log.ts";
export {
  browserEventBuses,
  browserKnowledgeBackends,
  browserRegistryBackends,
  createEventBus,
  createKnowledgeBackend,
  createRegistryBackend,
} from "./browser-factories.ts";
export { WorkerIngestionScheduler } from "./browser-ingestion-scheduler.ts";
export {
  type IngestionRunnerLike,
  type IngestReplyMessage,
  type IngestRequestMessage,
  type MessageEndpointLike,
  type ServeIngestionOptions,
  serveIngestion,
} from "./browser-ingestion-worker.ts";
export { IndexedDBRecordStore, type IndexedDBRecordStoreOptions } from "./browser-record-store.ts";
export {
  BrowserSync,
  type BrowserSyncOptions,
  type FileProgress,
  type FilesSyncResult,
  type RegistrySyncResult,
  type SyncReport,
  type SyncState,
  type SyncStatus,
} from "./browser-sync.ts";
export { UnreachableError } from "./browser-sync-http.ts";
