/**
 * The `s3` factory entries for `botknobs/node`: the same configuration as `botknobs/s3`'s, over
 * a store that loads the S3 adapter (and `aws4fetch`) on first use, so a program that never asks
 * for `s3` never loads it.
 * @module
 */
import { LazyBlobStore } from "../../core/blob/lazy-blob-store.ts";
import { type S3Entries, s3Entries } from "./s3-config.ts";

/**
 * `s3` entries whose store loads `S3BlobStore` when first used (the configuration is checked at
 * once; the endpoint and credentials when the store loads).
 * @example
 * const table = { ...coreRegistryBackends, s3: lazyS3Entries.registry };
 */
export const lazyS3Entries: S3Entries = s3Entries(
  (options) =>
    new LazyBlobStore(
      "s3",
      async () => new (await import("./s3-blob-store.ts")).S3BlobStore(options),
      // Before it loads (before initialize): what S3BlobStore reads before its probe.
      {
        conditionalPut: options.conditionalWrites ?? true,
        paginatedList: true,
        contentTypes: false,
      },
    ),
);
