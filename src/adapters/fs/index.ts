/**
 * `botknobs/fs`: botknobs over a local file system, on Node, Deno and Bun alike (through their
 * `node:fs`). The registry with its history in one journal (`FileRecordStore`), knowledge files
 * and their search index in a folder (`FsBlobStore`, `FileKnowledgeBackend`), an event bus the
 * processes sharing a folder hear each other on (`FileEventBus`), the API over a data folder
 * (`createFileApp`: what `npm start` serves), `loadEnvironment` over YAML files, and the
 * factory tables that teach `createRegistryBackend`/`createKnowledgeBackend` the `file` type (and
 * `s3`, whose adapter, `botknobs/s3`, loads when first used), and
 * `repairJournal`, which keeps every good line of a damaged registry journal.
 * Several processes of one host may share a folder; a network file system shared by hosts may not.
 * @module
 */
export { createFileApp, type FileApp, type FileAppOptions } from "./fs-app.ts";
export { FsBlobStore, type FsBlobStoreOptions } from "./fs-blob-store.ts";
export { loadEnvironment, readTextFile } from "./fs-environment.ts";
export { FileEventBus, type FileEventBusOptions } from "./fs-event-bus.ts";
export {
  createRegistryBackend,
  nodeRecordStores,
  nodeRegistryBackends,
} from "./fs-factories.ts";
export {
  type JournalRepair,
  type RepairOptions,
  repairJournal,
} from "./fs-journal-repair.ts";
export {
  createKnowledgeBackend,
  FileKnowledgeBackend,
  nodeKnowledgeBackends,
} from "./fs-knowledge-backend.ts";
export { FileRecordStore, type FileRecordStoreOptions } from "./fs-record-store.ts";
