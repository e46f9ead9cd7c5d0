/**
 * The registry on Cloudflare D1: {@link D1RecordStore} (schema in `migrations/`).
 * @module
 */
export {
  D1_MAX_BOUND_PARAMETERS,
  D1_MAX_VALUE_BYTES,
  D1RecordStore,
  type D1RecordStoreOptions,
} from "./d1-record-store.ts";
export type { D1DatabaseLike, D1StatementLike } from "./types.ts";
