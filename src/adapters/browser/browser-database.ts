/**
 * {@link BrowserDatabase}: the one IndexedDB database the `botknobs/browser` stores share (default
 * name `"botknobs"`, never the app's own), its object stores, and the transactions they run in.
 *
 * `idb-keyval` (the design card's dependency) serves where its custom stores fit: its
 * `promisifyRequest` turns every request into a promise, and {@link BrowserDatabase.keyval} is an
 * idb-keyval `UseStore` over one object store of this database, for single-key reads and writes
 * (`get`, `set` of idb-keyval). Its own `createStore(dbName, storeName)` does not fit: it opens a
 * database with exactly one object store at version 1, so a second store in the same database is
 * never created; and compare-and-set that reads and writes several stores (a record, its history,
 * the revision) must be one readwrite transaction, which `UseStore` (one store per call) cannot
 * span. Those run here, in plain IndexedDB ({@link BrowserDatabase.run}).
 * @module
 */
import { promisifyRequest, type UseStore } from "idb-keyval";
import { AdapterError, BotknobsError, errorMessage, ValidationError } from "../../core/errors.ts";

/** The object stores of the database, created together on first open. */
export const OBJECT_STORES = {
  /** The current record of each bot, by `bot_id`; index `status` on `[status, bot_id]`. */
  records: "records",
  /** Every kept version, by `[bot_id, version]`. */
  history: "history",
  /** Small values by name: the registry's revision, each channel's log position. */
  meta: "meta",
  /** What is known of each blob (size, etag, content type, pages), by key. */
  blobs: "blobs",
  /** A blob's bytes in pages, by `[key, page]`. */
  pages: "pages",
  /** The event buses' replay logs, by `[channel, seq]`. */
  events: "events",
} as const;

/** The name of one of the {@link OBJECT_STORES}. */
export type ObjectStoreName = (typeof OBJECT_STORES)[keyof typeof OBJECT_STORES];

/** The database name when none is given. */
export const DEFAULT_DB_NAME = "botknobs";

/** Options every `botknobs/browser` store and bus takes. */
export interface BrowserDatabaseOptions {
  /**
   * The IndexedDB database (default `"botknobs"`): give another name when the app already has a
   * database of that name. Stores given one name share it (another tab's store over the same name
   * sees the same data).
   */
  dbName?: string;
  /** The IndexedDB factory (default `globalThis.indexedDB`; a worker's own, or a test's). */
  indexedDB?: IDBFactory;
}

/** Re-exported for the stores: a request as a promise (idb-keyval's). */
export const request: <T>(req: IDBRequest<T> | IDBTransaction) => Promise<T> = promisifyRequest;

function factoryOf(options: BrowserDatabaseOptions): IDBFactory {
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined)
    throw new ValidationError(
      "botknobs/browser needs IndexedDB: run it in a browser or a worker of one, or pass options.indexedDB",
    );
  return factory;
}

function createMissing(db: IDBDatabase): void {
  const names = db.objectStoreNames;
  if (!names.contains(OBJECT_STORES.records))
    db.createObjectStore(OBJECT_STORES.records).createIndex("status", ["status", "bot_id"]);
  for (const name of Object.values(OBJECT_STORES))
    if (name !== OBJECT_STORES.records && !names.contains(name)) db.createObjectStore(name);
}

function complete(db: IDBDatabase): boolean {
  return Object.values(OBJECT_STORES).every((name) => db.objectStoreNames.contains(name));
}

/**
 * One connection to a `botknobs/browser` database, opened on first use. When another tab
 * upgrades the database, this connection closes and the next call opens it again.
 * @example
 * const db = new BrowserDatabase("indexeddb", { dbName: "my-app-botknobs" });
 * const n = await db.run(["records"], "readonly", (tx) => request(tx.objectStore("records").count()));
 */
export class BrowserDatabase {
  /** The database's name. */
  readonly dbName: string;
  readonly #owner: string;
  readonly #factory: IDBFactory;
  #db: Promise<IDBDatabase> | null = null;

  /** `owner` names the store or bus in errors (`"indexeddb-records"`). */
  constructor(owner: string, options: BrowserDatabaseOptions = {}) {
    const name = options.dbName ?? DEFAULT_DB_NAME;
    if (typeof name !== "string" || name === "")
      throw new ValidationError("Invalid dbName: expected a non-empty string", [
        { path: ["dbName"], message: "expected a non-empty string" },
      ]);
    this.dbName = name;
    this.#owner = owner;
    this.#factory = factoryOf(options);
  }

  /** The open connection (opened once; again after a close or another tab's upgrade). */
  open(): Promise<IDBDatabase> {
    this.#db ??= this.#connect().catch((error: unknown) => {
      this.#db = null;
      throw this.#fail("could not open the database", error);
    });
    return this.#db;
  }

  async #connect(version?: number): Promise<IDBDatabase> {
    const req =
      version === undefined
        ? this.#factory.open(this.dbName)
        : this.#factory.open(this.dbName, version);
    req.onupgradeneeded = () => createMissing(req.result);
    const db = await request(req);
    // A database of this name made by someone else, without our stores: add them (one upgrade).
    if (!complete(db)) {
      const next = db.version + 1;
      db.close();
      return this.#connect(next);
    }
    const forget = (): void => {
      db.close();
      if (this.#db !== null) this.#db = null;
    };
    db.onversionchange = forget;
    db.onclose = forget;
    return db;
  }

  /**
   * Runs `body` in one transaction over `stores` and resolves with its result once the
   * transaction committed. `body` may await only requests of `tx` (anything else lets the
   * transaction commit early). A throw aborts it: nothing is written. IndexedDB failures (a quota
   * exceeded) become an `AdapterError` naming the database.
   */
  async run<T>(
    stores: ObjectStoreName[],
    mode: IDBTransactionMode,
    body: (tx: IDBTransaction) => Promise<T> | T,
  ): Promise<T> {
    const db = await this.open();
    let tx: IDBTransaction;
    try {
      tx = db.transaction(stores, mode);
    } catch {
      // The connection was closed under us (another tab's upgrade): open it again, once.
      this.#db = null;
      tx = (await this.open()).transaction(stores, mode);
    }
    const done = request(tx);
    let result: T;
    try {
      result = await body(tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {}
      await done.catch(() => {});
      if (error instanceof BotknobsError) throw error;
      throw this.#fail(`a ${mode} transaction on ${stores.join(", ")} failed`, error);
    }
    try {
      await done;
    } catch (error) {
      throw this.#fail(
        `a ${mode} transaction on ${stores.join(", ")} did not commit`,
        error ?? tx.error,
      );
    }
    return result;
  }

  /**
   * An idb-keyval `UseStore` over one object store of this database: `get(key, db.keyval("blobs"))`.
   */
  keyval(store: ObjectStoreName): UseStore {
    return async (mode, callback) =>
      callback((await this.open()).transaction(store, mode).objectStore(store));
  }

  /** Closes the connection (the next call opens it again). */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    (await db?.catch(() => null))?.close();
  }

  #fail(what: string, error: unknown): AdapterError {
    const name = error instanceof DOMException ? error.name : "";
    const hint =
      name === "QuotaExceededError"
        ? ": the origin's storage quota is used up — free space (delete old knowledge bases) or ask for more with navigator.storage.persist()"
        : "";
    return new AdapterError(
      this.#owner,
      `${what} in IndexedDB database '${this.dbName}': ${errorMessage(error)}${hint}`,
      { cause: error },
    );
  }
}

/**
 * Deletes a `botknobs/browser` database and everything in it (the registry, knowledge files,
 * replay logs). Close the stores over it first: an open connection delays the deletion.
 * @example
 * await deleteBrowserDatabase("botknobs-test-1");
 */
export async function deleteBrowserDatabase(
  dbName: string,
  factory: IDBFactory = factoryOf({}),
): Promise<void> {
  await request(factory.deleteDatabase(dbName));
}
