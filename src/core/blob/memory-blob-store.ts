/**
 * {@link MemoryBlobStore}: a {@link BlobStore} in memory, for tests and for the in-memory
 * knowledge backend.
 * @module
 */
import { bytesToStream, readAll } from "../util/streams.ts";
import { checkDeclaredSize, checkPutSize } from "./checks.ts";
import { pageKeys } from "./list.ts";
import type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "./types.ts";

interface Stored {
  meta: BlobMeta;
  bytes: Uint8Array;
}

/**
 * An object store in memory.
 * @example
 * const store = new MemoryBlobStore();
 * await store.put("kb/faq.md", new TextEncoder().encode("# FAQ"));
 */
export class MemoryBlobStore implements BlobStore {
  readonly name: string = "memory";
  readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: true,
  };
  readonly #objects = new Map<string, Stored>();
  #counter = 0;

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  async head(key: string): Promise<BlobMeta | null> {
    const o = this.#objects.get(key);
    return o ? { ...o.meta } : null;
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    const o = this.#objects.get(key);
    if (!o) return null;
    let bytes = o.bytes;
    if (options.range) {
      const { offset, length } = options.range;
      bytes = bytes.subarray(offset, length === undefined ? undefined : offset + length);
    }
    // A copy: the caller may change what it reads, the store's bytes stay as they were put.
    return { ...o.meta, body: bytesToStream(bytes.slice()) };
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    checkDeclaredSize(options);
    // Read the whole body first: a stream that fails half-way must leave the old object in place.
    const bytes = body instanceof Uint8Array ? body.slice() : await readAll(body);
    checkPutSize(key, options, bytes.length);
    return this.#set(key, bytes, options);
  }

  /** Stores bytes the store owns (nothing awaits between the check and the write). */
  #set(key: string, bytes: Uint8Array, options: BlobPutOptions): BlobMeta | null {
    const current = this.#objects.get(key);
    if (options.ifMatch !== undefined && (current?.meta.etag ?? null) !== options.ifMatch)
      return null;
    const meta: BlobMeta = {
      key,
      size: bytes.length,
      etag: `m${++this.#counter}`,
      uploaded: new Date(),
      contentType: options.contentType ?? null,
    };
    this.#objects.set(key, { meta, bytes });
    return { ...meta };
  }

  /** Shares the source's bytes (objects are never mutated in place). */
  async copy(from: string, to: string): Promise<BlobMeta | null> {
    const o = this.#objects.get(from);
    if (!o) return null;
    return this.#set(
      to,
      o.bytes,
      o.meta.contentType === null ? {} : { contentType: o.meta.contentType },
    );
  }

  async delete(keys: string | string[]): Promise<void> {
    for (const key of typeof keys === "string" ? [keys] : keys) this.#objects.delete(key);
  }

  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const page = pageKeys(this.#objects.keys(), options);
    const objects = page.keys.map((k) => ({ ...(this.#objects.get(k) as Stored).meta }));
    return {
      objects,
      prefixes: page.prefixes,
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    };
  }
}
