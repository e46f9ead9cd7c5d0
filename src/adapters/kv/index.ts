/**
 * The registry on Workers KV: {@link KVRecordStore}, eventually consistent, and KV's limits.
 * @module
 */
export {
  KV_MAX_BULK_GET,
  KV_MAX_KEY_BYTES,
  KV_MAX_VALUE_BYTES,
  KV_MIN_WRITE_INTERVAL_MS,
} from "./kv-limits.ts";
export { KVRecordStore, type KVRecordStoreOptions } from "./kv-record-store.ts";
export type { KVListLike, KVNamespaceLike } from "./types.ts";
