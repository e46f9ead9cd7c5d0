/**
 * Knowledge files and the search index on Cloudflare R2: {@link R2BlobStore}.
 * @module
 */
export {
  R2_MAX_KEY_BYTES,
  R2_MAX_KEYS_PER_CALL,
  R2BlobStore,
  type R2BlobStoreOptions,
} from "./r2-blob-store.ts";
export type {
  FixedLengthStreamLike,
  R2BucketLike,
  R2ObjectBodyLike,
  R2ObjectLike,
  R2ObjectsLike,
  R2PutOptionsLike,
} from "./types.ts";
