/**
 * The {@link BlobStore} port: the small object-store interface under the knowledge backends.
 * Memory, the file system, R2 and S3 implement these calls, and plain HTTP reads them; the knowledge layout,
 * checksums, versions and validation live once, in `BlobKnowledgeBackend`.
 * @module
 */

/** What is known of a stored object without reading it. */
export interface BlobMeta {
  key: string;
  /** The whole object's size in bytes — on a ranged `get` too, not the range's length. */
  size: number;
  /**
   * Changes whenever the content changes, also for rewrites of the same size within the same
   * second (opaque; compare for equality only).
   */
  etag: string;
  uploaded: Date;
  contentType: string | null;
}

/** A stored object with its content as a stream. */
export interface BlobBody extends BlobMeta {
  body: ReadableStream<Uint8Array>;
}

/**
 * A byte range: `length` bytes from `offset` (to the end when omitted). A range reaching past
 * the end is cut at the end: from the end on, or with `length` 0, the body is empty.
 */
export interface BlobRange {
  offset: number;
  length?: number;
}

/** Options of {@link BlobStore.put}. */
export interface BlobPutOptions {
  contentType?: string;
  /**
   * A precondition: `null` writes only if the key is absent; an etag writes only if it still
   * matches (a missing or deleted key matches no etag). `put` then returns `null` instead of
   * writing. A store whose capabilities say
   * `conditionalPut: false` throws `UnsupportedError` rather than ignore it.
   */
  ifMatch?: string | null;
  /**
   * The body's length in bytes, when the caller knows it (an HTTP `Content-Length`, a
   * `Uint8Array`): R2 and S3 stream a `put` only with a known length. A body of another length
   * fails the put with `ValidationError`, and nothing is written.
   */
  size?: number;
}

/** Options of {@link BlobStore.list}. */
export interface BlobListOptions {
  prefix?: string;
  /** With a delimiter (`"/"`), keys below the next delimiter are rolled up into `prefixes`. */
  delimiter?: string;
  cursor?: string;
  limit?: number;
}

/** One page of a listing, sorted by key. */
export interface BlobList {
  objects: BlobMeta[];
  prefixes: string[];
  /** Present when there is another page. */
  cursor?: string;
}

/** What a store guarantees, as data; the conformance suite gates on it. */
export interface BlobStoreCapabilities {
  /**
   * `put` honours `ifMatch` atomically for every process that shares the store (the file system:
   * the processes of one host). Without it, a conditional put throws `UnsupportedError`.
   */
  conditionalPut: boolean;
  /** `list` may return fewer than all keys per page and uses cursors. */
  paginatedList: boolean;
  /**
   * Every read path returns the content type given to `put`: the `put` result, `head`, `get`
   * (ranged too), the objects of `list`, and a copy (a file system does not keep it: `null`).
   */
  contentTypes: boolean;
  /**
   * The most UTF-8 bytes one `/`-separated part of a key may have (a file system: 255, a file
   * name's limit); absent: no limit of its own. A longer part is a `ValidationError`.
   */
  maxNameBytes?: number;
  /**
   * `put`, `delete` and `copy` throw `ReadOnlyError` (a store over plain HTTP); absent: false.
   * The conformance suite then reads objects another store wrote (its `writer`).
   */
  readOnly?: boolean;
  /**
   * `false`: `list` throws `UnsupportedError` (plain HTTP without a listing manifest); absent:
   * true. A `BlobSearchIndex` answers queries without listing (its sweep and `scopes()` list).
   */
  list?: boolean;
}

/** An object store. A `put` replaces the object whole or not at all (a failed stream writes nothing). */
export interface BlobStore {
  /** A short name for errors (`"memory"`, `"r2"`, `"s3"`, `"fs"`). */
  readonly name: string;
  readonly capabilities: BlobStoreCapabilities;
  initialize(): Promise<void>;
  close(): Promise<void>;
  head(key: string): Promise<BlobMeta | null>;
  get(key: string, options?: { range?: BlobRange }): Promise<BlobBody | null>;
  put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<BlobMeta | null>;
  /** Deletes keys; missing keys are ignored. */
  delete(keys: string | string[]): Promise<void>;
  list(options?: BlobListOptions): Promise<BlobList>;
  /**
   * Optional: copies an object inside the store without passing its bytes through the caller
   * (a hard link on a file system, a shared buffer in memory, `CopyObject` on S3); replaces the
   * target whole. `null` when the source is missing. Callers fall back to `get` + `put`.
   */
  copy?(from: string, to: string): Promise<BlobMeta | null>;
}
