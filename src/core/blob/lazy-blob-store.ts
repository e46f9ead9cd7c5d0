/**
 * {@link LazyBlobStore}: a {@link BlobStore} whose implementation is loaded on first use, so a
 * factory that knows many backends (`createKnowledgeBackend("s3", …)` from `botknobs/node`)
 * loads the code of the one asked for only, and only once it is used.
 * @module
 */
import { LoadOnce } from "../util/once.ts";
import { copyObject } from "./copy.ts";
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

/**
 * Forwards every call to the store `load` makes, loading it once, on the first call. Until then
 * `capabilities` are the ones given (what the store is known to have before it runs).
 * @example
 * const store = new LazyBlobStore("s3", async () => new (await import("./s3.ts")).S3BlobStore(options), caps);
 */
export class LazyBlobStore implements BlobStore {
  readonly name: string;
  readonly #store: LoadOnce<BlobStore>;
  readonly #before: BlobStoreCapabilities;

  constructor(name: string, load: () => Promise<BlobStore>, before: BlobStoreCapabilities) {
    this.name = name;
    this.#store = new LoadOnce(load);
    this.#before = before;
  }

  get capabilities(): BlobStoreCapabilities {
    return this.#store.value?.capabilities ?? this.#before;
  }

  /** The store, loaded once (a failed load is tried again on the next call). */
  #get(): Promise<BlobStore> {
    return this.#store.get();
  }

  async initialize(): Promise<void> {
    await (await this.#get()).initialize();
  }

  async close(): Promise<void> {
    await this.#store.value?.close();
  }

  async head(key: string): Promise<BlobMeta | null> {
    return (await this.#get()).head(key);
  }

  async get(key: string, options?: { range?: BlobRange }): Promise<BlobBody | null> {
    return (await this.#get()).get(key, options);
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<BlobMeta | null> {
    return (await this.#get()).put(key, body, options);
  }

  async delete(keys: string | string[]): Promise<void> {
    return (await this.#get()).delete(keys);
  }

  async list(options?: BlobListOptions): Promise<BlobList> {
    return (await this.#get()).list(options);
  }

  /** The store's own copy where it has one, else `get` + `put`. */
  async copy(from: string, to: string): Promise<BlobMeta | null> {
    return copyObject(await this.#get(), from, to);
  }
}
