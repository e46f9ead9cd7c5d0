/**
 * {@link R2BlobStore}: a {@link BlobStore} over a Cloudflare R2 bucket binding. The knowledge
 * backend (`BlobKnowledgeBackend`) and the persisted search index (`BlobSearchIndex`) run over it
 * unchanged, so every isolate of a Worker sees the same files and the same index.
 * @module
 */
import {
  checkDeclaredSize,
  checkKeyBytes,
  checkPutSize,
  checkRange,
} from "../../core/blob/checks.ts";
import { countingStream } from "../../core/blob/counting-stream.ts";
import type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "../../core/blob/types.ts";
import { AdapterError, BotknobsError, ValidationError } from "../../core/errors.ts";
import { readAll } from "../../core/util/streams.ts";
import type {
  FixedLengthStreamLike,
  R2BucketLike,
  R2ObjectBodyLike,
  R2ObjectLike,
  R2PutOptionsLike,
} from "./types.ts";

/** Options of {@link R2BlobStore}. */
export interface R2BlobStoreOptions {
  /** The bucket binding (`env.KNOWLEDGE` with `[[r2_buckets]]` in `wrangler.toml`). */
  bucket: R2BucketLike;
}

/** R2's longest key, in UTF-8 bytes. */
export const R2_MAX_KEY_BYTES = 1024;
/** R2 lists and deletes at most this many keys per call. */
export const R2_MAX_KEYS_PER_CALL = 1000;

/** `FixedLengthStream` where the runtime has it (workerd), else `undefined`. */
function fixedLengthStream(): FixedLengthStreamLike | undefined {
  return (globalThis as { FixedLengthStream?: FixedLengthStreamLike }).FixedLengthStream;
}

function meta(object: R2ObjectLike): BlobMeta {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    uploaded: object.uploaded,
    contentType: object.httpMetadata?.contentType ?? null,
  };
}

/**
 * Objects in an R2 bucket. A `put` with a known length (`options.size`, or a `Uint8Array`)
 * streams into R2 through a `FixedLengthStream`; a stream of unknown length is read whole first
 * (R2 needs the length up front). R2 writes an object whole or not at all, so an upload cut off
 * mid-stream leaves the old object (or none) in place. `ifMatch` maps to R2's `onlyIf`
 * (`etagMatches`, or `etagDoesNotMatch: "*"` for "only if absent"), checked atomically by R2.
 * @example
 * const store = new R2BlobStore({ bucket: env.KNOWLEDGE });
 * const kb = new BlobKnowledgeBackend({ store });
 */
export class R2BlobStore implements BlobStore {
  readonly name: string = "r2";
  readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: true,
  };
  readonly #bucket: R2BucketLike;

  constructor(options: R2BlobStoreOptions) {
    if (typeof options?.bucket?.put !== "function")
      throw new ValidationError("R2BlobStore needs an R2 bucket binding (options.bucket)", [
        { path: ["bucket"], message: "expected an R2Bucket binding" },
      ]);
    this.#bucket = options.bucket;
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  async head(key: string): Promise<BlobMeta | null> {
    checkKey(key);
    const object = await this.#call(`head '${key}'`, () => this.#bucket.head(key));
    return object ? meta(object) : null;
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    checkKey(key);
    const { range } = options;
    checkRange(key, range);
    const object = await this.#call(`get '${key}'`, async () => {
      if (range === undefined) return (await this.#bucket.get(key)) as R2ObjectBodyLike | null;
      // R2 refuses an empty range (length 0, or from the end on); an empty body answers it.
      if (range.length === 0) return (await this.#emptyAt(key, range.offset, true)) ?? null;
      try {
        return (await this.#bucket.get(key, {
          range: range.length === undefined ? { offset: range.offset } : range,
        })) as R2ObjectBodyLike | null;
      } catch (error) {
        const empty = await this.#emptyAt(key, range.offset, false);
        if (empty === undefined) throw error;
        return empty;
      }
    });
    if (object === null) return null;
    if ("empty" in object) return { ...meta(object.head), body: new Blob([]).stream() };
    return { ...meta(object), body: object.body as ReadableStream<Uint8Array> };
  }

  /** The object's head, as an empty read, when a range from `offset` is empty (or `always`). */
  async #emptyAt(
    key: string,
    offset: number,
    always: boolean,
  ): Promise<{ head: R2ObjectLike; empty: true } | null | undefined> {
    const head = await this.#bucket.head(key);
    if (head === null) return null;
    return always || offset >= head.size ? { head, empty: true } : undefined;
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    checkKey(key);
    checkDeclaredSize(options);
    const r2Options: R2PutOptionsLike = {};
    if (options.contentType !== undefined)
      r2Options.httpMetadata = { contentType: options.contentType };
    if (options.ifMatch !== undefined)
      r2Options.onlyIf =
        options.ifMatch === null
          ? { etagDoesNotMatch: "*" }
          : { etagMatches: options.ifMatch.replace(/^"|"$/g, "") };
    const Fixed = fixedLengthStream();
    let value: unknown;
    let counted: ReturnType<typeof countingStream> | undefined;
    if (body instanceof Uint8Array) {
      checkPutSize(key, options, body.length);
      value = body;
    } else if (options.size !== undefined && Fixed) {
      // Streamed with its length known: R2 takes a FixedLengthStream's readable half.
      counted = countingStream(body, options.size);
      const fixed = new Fixed(options.size);
      counted.stream.pipeTo(fixed.writable).catch(() => {});
      value = fixed.readable;
    } else {
      const bytes = await readAll(body);
      checkPutSize(key, options, bytes.length);
      value = bytes;
    }
    try {
      const object = await this.#bucket.put(key, value as never, r2Options);
      return object ? meta(object) : null;
    } catch (error) {
      // A body of the wrong length, or one that broke, fails the put: R2 wrote nothing.
      if (counted?.mismatch()) checkPutSize(key, options, counted.mismatch() as number);
      if (counted?.failure() !== undefined) throw counted.failure();
      throw wrap(`put '${key}'`, error);
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    const all = typeof keys === "string" ? [keys] : keys;
    for (const key of all) checkKey(key);
    for (let i = 0; i < all.length; i += R2_MAX_KEYS_PER_CALL) {
      const batch = all.slice(i, i + R2_MAX_KEYS_PER_CALL);
      await this.#call(`delete ${batch.length} key(s)`, () => this.#bucket.delete(batch));
    }
  }

  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const { prefix, delimiter, cursor, limit } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1))
      throw new ValidationError(`Invalid limit ${limit}: expected a positive integer`, [
        { path: ["limit"], message: "expected a positive integer" },
      ]);
    const page = await this.#call(`list '${prefix ?? ""}'`, () =>
      this.#bucket.list({
        include: ["httpMetadata"],
        limit: Math.min(limit ?? R2_MAX_KEYS_PER_CALL, R2_MAX_KEYS_PER_CALL),
        ...(prefix ? { prefix } : {}),
        ...(delimiter ? { delimiter } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    );
    return {
      objects: page.objects.map(meta),
      prefixes: page.delimitedPrefixes,
      ...(page.truncated ? { cursor: page.cursor } : {}),
    };
  }

  /** Runs one call on the bucket; a failure becomes an `AdapterError` naming the operation. */
  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw wrap(what, error);
    }
  }
}

function wrap(what: string, error: unknown): Error {
  if (error instanceof BotknobsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AdapterError("r2", `${what} failed: ${message}`, { cause: error });
}

/** R2 keys are non-empty and at most 1,024 UTF-8 bytes: checked before the call. */
function checkKey(key: string): void {
  checkKeyBytes(key, R2_MAX_KEY_BYTES, "R2");
}
