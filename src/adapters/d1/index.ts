/**
 * The registry on Cloudflare D1: {@link D1RecordStore} (schema in `migrations/`); knowledge
 * search on D1 with FTS5: {@link D1SearchIndex} (the tables of `SqliteSearchIndex`).
 * @module
 */
export {
  D1_MAX_BOUND_PARAMETERS,
  D1_MAX_VALUE_BYTES,
  D1RecordStore,
  type D1RecordStoreOptions,
} from "./d1-record-store.ts";
export { D1SearchIndex, type D1SearchIndexOptions } from "./d1-search-index.ts";
export type { D1DatabaseLike, D1StatementLike } from "./types.ts";
