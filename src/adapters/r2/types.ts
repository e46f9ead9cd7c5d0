/**
 * The structural subset of Cloudflare's `R2Bucket` that {@link R2BlobStore} uses, so the adapter
 * needs no platform types: a Worker's `env.MY_BUCKET` fits it (a type test checks this against
 * `@cloudflare/workers-types`).
 * @module
 */

/** What R2 knows of an object (`R2Object`). */
export interface R2ObjectLike {
  key: string;
  size: number;
  etag: string;
  uploaded: Date;
  httpMetadata?: { contentType?: string } | undefined;
}

/** An object with its content (`R2ObjectBody`); `body` is a `ReadableStream` of bytes. */
export interface R2ObjectBodyLike extends R2ObjectLike {
  body: unknown;
}

/** The options of `R2Bucket.put` the store sets. */
export interface R2PutOptionsLike {
  httpMetadata?: { contentType?: string };
  onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string };
}

/** One page of `R2Bucket.list`. */
export interface R2ObjectsLike {
  objects: R2ObjectLike[];
  delimitedPrefixes: string[];
  truncated: boolean;
  cursor?: string;
}

/** The calls of an R2 bucket binding the store makes. */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(
    key: string,
    options?: { range?: { offset: number; length?: number } },
  ): Promise<R2ObjectBodyLike | R2ObjectLike | null>;
  put(key: string, value: never, options?: R2PutOptionsLike): Promise<R2ObjectLike | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: {
    prefix?: string;
    delimiter?: string;
    cursor?: string;
    limit?: number;
    include?: ("httpMetadata" | "customMetadata")[];
  }): Promise<R2ObjectsLike>;
}

/** workerd's `FixedLengthStream`: an identity stream that knows its length in advance. */
export type FixedLengthStreamLike = new (
  length: number,
) => { readable: unknown; writable: WritableStream<Uint8Array> };
