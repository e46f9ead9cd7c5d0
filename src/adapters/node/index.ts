/**
 * botknobs for Node (and Deno/Bun through their Node compatibility): the file registry store
 * (`FileRecordStore`, `createRegistryBackend("file", { path })`), the file knowledge backend, a
 * file-system blob store, and `loadEnvironment` over the file system. SQLite, PostgreSQL and
 * Redis adapters join this entry as they land.
 * @module
 */

export { createFileApp, type FileApp } from "./file-app.ts";
export {
  createKnowledgeBackend,
  FileKnowledgeBackend,
  nodeKnowledgeBackends,
} from "./file-knowledge-backend.ts";
export { FileRecordStore, type FileRecordStoreOptions } from "./file-record-store.ts";
export { FsBlobStore } from "./fs-blob-store.ts";
export { loadEnvironment, readTextFile } from "./node-environment.ts";
export { type NodeFetch, withRawRequest } from "./raw-request.ts";
export {
  createRegistryBackend,
  nodeRecordStores,
  nodeRegistryBackends,
} from "./registry-factory.ts";
export {
  SERVE_TIMEOUTS,
  type Served,
  type ServeOptions,
  serveApp,
  upgradeWebSocket,
} from "./serve.ts";
