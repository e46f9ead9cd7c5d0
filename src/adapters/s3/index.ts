/**
 * `botknobs/s3`: knowledge files, the search index and the registry on any S3-compatible
 * storage (AWS S3, Cloudflare R2's S3 API, MinIO, …), over `fetch` and SigV4 (`aws4fetch`), so
 * it runs on Node, Deno, Bun, Cloudflare Workers and in browsers: {@link S3BlobStore}, and the
 * factories that know the seed's `s3` type (`createKnowledgeBackend("s3", …)`,
 * `createRegistryBackend("s3", …)`: the registry is a `BlobRecordStore` over the bucket).
 * @module
 */
export {
  S3_MAX_KEY_BYTES,
  S3_MAX_KEYS_PER_CALL,
  S3BlobStore,
  type S3BlobStoreOptions,
} from "./s3-blob-store.ts";
export {
  createKnowledgeBackend,
  createRegistryBackend,
  s3KnowledgeBackends,
  s3RecordStores,
  s3RegistryBackends,
} from "./s3-factories.ts";
