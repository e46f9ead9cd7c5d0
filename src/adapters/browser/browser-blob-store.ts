/**
 * {@link IndexedDBBlobStore}: knowledge files (and a persisted search index) in IndexedDB, for a
 * knowledge base that works offline in the browser.
 * @module
 */
import { get } from "idb-keyval";
import { checkDeclaredSize, checkPutSize, checkRange } from "../../core/blob/checks.ts";
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
import { ValidationError } from "../../core/errors.ts";
import { bytesToStream, readAll } from "../../core/util/streams.ts";
import {
  BrowserDatabase,
  type BrowserDatabaseOptions,
  OBJECT_STORES,
  request,
} from "./browser-database.ts";

/** Options of {@link IndexedDBBlobStore}. */
export interface IndexedDBBlobStoreOptions extends BrowserDatabaseOptions {
  /**
   * The bytes of one stored page (default 256 KiB): a ranged read loads only the pages it
   * covers. Fixed per object when written, so changing it later is safe.
   */
  pageBytes?: number;
}

/** What is stored of an object besides its pages. */
interface Stored extends BlobMeta {
  /** The page size it was written with. */
  pageBytes: number;
}

const { blobs: BLOBS, pages: PAGES } = OBJECT_STORES;
const DEFAULT_PAGE_BYTES = 256 * 1024;

const pagesOf = (key: string, from = 0, to = Number.POSITIVE_INFINITY): IDBKeyRange =>
  IDBKeyRange.bound([key, from], [key, to]);

function metaOf(stored: Stored): BlobMeta {
  const { pageBytes: _, ...meta } = stored;
  return { ...meta, uploaded: new Date(stored.uploaded) };
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "")
    throw new ValidationError("An IndexedDB blob key must be a non-empty string", [
      { path: ["key"], message: "expected a non-empty string" },
    ]);
}

/**
 * An object store in IndexedDB (default database `"botknobs"`, see `dbName`). Each object is a
 * record of what is known of it and its bytes in pages of `pageBytes`: a ranged `get` reads the
 * pages it covers only. A `put` reads its body whole first (a transaction cannot wait on a stream)
 * and then replaces the object in one readwrite transaction, so it is atomic, and its `ifMatch`
 * a real compare-and-set for every tab and worker of the origin; a stream that fails writes
 * nothing. ETags are random per write. `head` goes through idb-keyval over the database's
 * `blobs` store; the writes over two stores cannot (see `browser-database.ts`).
 * @example
 * const store = new IndexedDBBlobStore({ dbName: "my-app-botknobs" });
 * const kb = new BlobKnowledgeBackend({ store });
 */
export class IndexedDBBlobStore implements BlobStore {
  readonly name: string = "indexeddb";
  readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: true,
  };
  /** The database underneath (its `dbName`). */
  readonly database: BrowserDatabase;
  readonly #pageBytes: number;

  constructor(options: IndexedDBBlobStoreOptions = {}) {
    this.database = new BrowserDatabase("indexeddb-blobs", options);
    const page = options.pageBytes ?? DEFAULT_PAGE_BYTES;
    if (!Number.isInteger(page) || page < 1024)
      throw new ValidationError(`Invalid pageBytes ${page}: expected an integer ≥ 1024`, [
        { path: ["pageBytes"], message: "expected an integer ≥ 1024" },
      ]);
    this.#pageBytes = page;
  }

  /** Opens the database (creating its stores). Idempotent. */
  async initialize(): Promise<void> {
    await this.database.open();
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  async head(key: string): Promise<BlobMeta | null> {
    checkKey(key);
    const stored = await get<Stored>(key, this.database.keyval(BLOBS));
    return stored === undefined ? null : metaOf(stored);
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    checkKey(key);
    checkRange(key, options.range);
    const found = await this.database.run([BLOBS, PAGES], "readonly", async (tx) => {
      const stored = (await request(tx.objectStore(BLOBS).get(key))) as Stored | undefined;
      if (stored === undefined) return null;
      const { offset = 0, length } = options.range ?? {};
      const start = Math.min(offset, stored.size);
      const end = Math.min(length === undefined ? stored.size : start + length, stored.size);
      if (end <= start) return { stored, bytes: new Uint8Array(0) };
      const size = stored.pageBytes;
      const first = Math.floor(start / size);
      const last = Math.floor((end - 1) / size);
      const pages = (await request(
        tx.objectStore(PAGES).getAll(pagesOf(key, first, last)),
      )) as Uint8Array[];
      const bytes = new Uint8Array(end - start);
      let at = 0;
      for (const [i, page] of pages.entries()) {
        const base = (first + i) * size;
        const part = page.subarray(Math.max(start - base, 0), Math.min(end - base, page.length));
        bytes.set(part, at);
        at += part.length;
      }
      return { stored, bytes };
    });
    if (found === null) return null;
    return { ...metaOf(found.stored), body: bytesToStream(found.bytes) };
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    checkKey(key);
    checkDeclaredSize(options);
    // Read the whole body first: a stream that fails half-way must leave the old object in place.
    const bytes = body instanceof Uint8Array ? body.slice() : await readAll(body);
    checkPutSize(key, options, bytes.length);
    const stored: Stored = {
      key,
      size: bytes.length,
      etag: crypto.randomUUID(),
      uploaded: new Date(),
      contentType: options.contentType ?? null,
      pageBytes: this.#pageBytes,
    };
    const size = this.#pageBytes;
    const pages: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += size) pages.push(bytes.slice(at, at + size));
    return this.#write(stored, pages, options.ifMatch);
  }

  /** Replaces `stored.key` with `pages` in one transaction, if `ifMatch` (when given) holds. */
  #write(
    stored: Stored,
    pages: Uint8Array[],
    ifMatch: string | null | undefined,
  ): Promise<BlobMeta | null> {
    return this.database.run([BLOBS, PAGES], "readwrite", async (tx) => {
      const blobs = tx.objectStore(BLOBS);
      if (ifMatch !== undefined) {
        const current = (await request(blobs.get(stored.key))) as Stored | undefined;
        if ((current?.etag ?? null) !== ifMatch) return null;
      }
      const store = tx.objectStore(PAGES);
      store.delete(pagesOf(stored.key));
      for (const [i, page] of pages.entries()) store.put(page, [stored.key, i]);
      blobs.put(stored, stored.key);
      return metaOf(stored);
    });
  }

  /** Copies inside the database, in one transaction (the bytes never reach the caller). */
  async copy(from: string, to: string): Promise<BlobMeta | null> {
    checkKey(from);
    checkKey(to);
    return this.database.run([BLOBS, PAGES], "readwrite", async (tx) => {
      const blobs = tx.objectStore(BLOBS);
      const source = (await request(blobs.get(from))) as Stored | undefined;
      if (source === undefined) return null;
      const store = tx.objectStore(PAGES);
      const pages = (await request(store.getAll(pagesOf(from)))) as Uint8Array[];
      store.delete(pagesOf(to));
      for (const [i, page] of pages.entries()) store.put(page, [to, i]);
      const stored: Stored = {
        ...source,
        key: to,
        etag: crypto.randomUUID(),
        uploaded: new Date(),
      };
      blobs.put(stored, to);
      return metaOf(stored);
    });
  }

  async delete(keys: string | string[]): Promise<void> {
    const all = typeof keys === "string" ? [keys] : keys;
    for (const key of all) checkKey(key);
    if (all.length === 0) return;
    await this.database.run([BLOBS, PAGES], "readwrite", (tx) => {
      for (const key of all) {
        tx.objectStore(BLOBS).delete(key);
        tx.objectStore(PAGES).delete(pagesOf(key));
      }
    });
  }

  /**
   * A page of keys in code-unit order (IndexedDB's order for strings), walking the `blobs` store
   * from the prefix (or the cursor) on; keys below a delimiter roll up into one prefix, which
   * counts once towards `limit`; the cursor is the last key the page consumed.
   */
  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const { prefix = "", delimiter, cursor } = options;
    const limit = Math.max(1, options.limit ?? 1000);
    return this.database.run([BLOBS], "readonly", async (tx) => {
      const objects: BlobMeta[] = [];
      const prefixes: string[] = [];
      const range =
        cursor !== undefined && cursor >= prefix
          ? IDBKeyRange.lowerBound(cursor, true)
          : IDBKeyRange.lowerBound(prefix);
      const req = tx.objectStore(BLOBS).openCursor(range);
      let last = "";
      for (;;) {
        const at = await request(req);
        if (at === null) return { objects, prefixes };
        const key = at.key as string;
        if (!key.startsWith(prefix)) return { objects, prefixes };
        const rest = key.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        const rolled =
          delimiter && cut >= 0 ? prefix + rest.slice(0, cut + delimiter.length) : null;
        if (rolled === null || prefixes.at(-1) !== rolled) {
          if (objects.length + prefixes.length >= limit) return { objects, prefixes, cursor: last };
          if (rolled !== null) prefixes.push(rolled);
          else objects.push(metaOf(at.value as Stored));
        }
        last = key;
        at.continue();
      }
    });
  }
}
