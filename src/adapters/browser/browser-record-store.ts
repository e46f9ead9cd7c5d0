/**
 * {@link IndexedDBRecordStore}: the registry's {@link RecordStore} in IndexedDB, for a registry that
 * lives in the browser (offline, shared by the tabs and workers of the origin).
 * @module
 */
import { get } from "idb-keyval";
import { pageLimit } from "../../core/registry/page.ts";
import { checkKeepLast, checkPutRecord, historyCursor } from "../../core/registry/record-checks.ts";
import type { RecordExt } from "../../core/registry/record-ext.ts";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "../../core/registry/record-store.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import type { JsonObject } from "../../core/validate.ts";
import {
  BrowserDatabase,
  type BrowserDatabaseOptions,
  OBJECT_STORES,
  request,
} from "./browser-database.ts";

/** Options of {@link IndexedDBRecordStore}. */
export interface IndexedDBRecordStoreOptions extends BrowserDatabaseOptions {}

/** A version as stored: scalars, and metadata, config and `ext` as JSON text (`ext` null: none). */
interface Row extends Omit<RegistrationDict, "config" | "metadata" | "ext"> {
  metadata: string;
  config: string;
  ext: string | null;
}

interface Revision {
  epoch: string;
  changes: number;
}

const { records: RECORDS, history: HISTORY, meta: META } = OBJECT_STORES;
const REVISION = "registry-revision";

function toRow(record: RegistrationDict): Row {
  const { config, metadata, ext, ...head } = record;
  return {
    ...head,
    metadata: JSON.stringify(metadata ?? {}),
    config: typeof config === "string" ? config : JSON.stringify(config),
    ext: ext === undefined ? null : JSON.stringify(ext),
  };
}

function fromRow(row: Row): StoredRegistration {
  const { metadata, ext, ...rest } = row;
  const record: StoredRegistration = {
    ...rest,
    metadata: metadata === "{}" ? {} : (JSON.parse(metadata) as JsonObject),
  };
  if (ext !== null) record.ext = JSON.parse(ext) as RecordExt;
  return record;
}

/** Every version of one bot in the history store. */
const versionsOf = (botId: string, below = Number.POSITIVE_INFINITY, open = false): IDBKeyRange =>
  IDBKeyRange.bound([botId, 0], [botId, below], false, open);

/** Collects up to `n` values from a cursor over `range` (in `direction`). */
async function collect<T>(
  source: IDBObjectStore | IDBIndex,
  range: IDBKeyRange,
  n: number,
  direction: IDBCursorDirection = "next",
): Promise<T[]> {
  if (direction === "next") return request(source.getAll(range, n)) as Promise<T[]>;
  const out: T[] = [];
  const req = source.openCursor(range, direction);
  for (;;) {
    const cursor = await request(req);
    if (cursor === null || out.length >= n) return out;
    out.push(cursor.value as T);
    cursor.continue();
  }
}

/**
 * The registry's records in IndexedDB: the current record per bot, every kept version, and the
 * revision, in one database (default `"botknobs"`, see `dbName`). Each write is one readwrite
 * transaction over the record, its history and the revision, so a compare-and-set is atomic for
 * every tab and worker of the origin (IndexedDB runs overlapping readwrite transactions one at a
 * time), and a tab closed mid-write leaves the old record or the new one. `list({ where: { status
 * } })` reads the `status` index. A second store over the same `dbName` (another tab) sees every
 * write. Single-key reads go through idb-keyval over the database's stores; the writes that span
 * stores cannot (see `browser-database.ts`).
 * @example
 * const store = new IndexedDBRecordStore({ dbName: "my-app-botknobs" });
 * const registry = new StoreRegistryBackend({ store });
 */
export class IndexedDBRecordStore implements RecordStore {
  readonly name: string = "indexeddb";
  readonly capabilities: RecordStoreCapabilities = {
    consistency: "strong",
    visibilityLagMs: 0,
    atomicWrites: true,
    filters: ["status"],
  };
  /** The database underneath (its `dbName`). */
  readonly database: BrowserDatabase;

  constructor(options: IndexedDBRecordStoreOptions = {}) {
    this.database = new BrowserDatabase("indexeddb-records", options);
  }

  /** Opens the database (creating its stores). Idempotent. */
  async initialize(): Promise<void> {
    await this.database.open();
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    const row = await get<Row>(botId, this.database.keyval(RECORDS));
    return row === undefined ? null : fromRow(row);
  }

  async list(options: ListOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const { cursor } = options;
    const status = options.where?.status;
    // One more than the page: whether a cursor follows is known without another read.
    const rows = await this.database.run([RECORDS], "readonly", (tx) => {
      const store = tx.objectStore(RECORDS);
      if (status === undefined)
        return collect<Row>(
          store,
          cursor === undefined ? IDBKeyRange.lowerBound("") : IDBKeyRange.lowerBound(cursor, true),
          limit + 1,
        );
      // [status, bot_id]: arrays sort after strings, so [status, []] is above every id.
      return collect<Row>(
        store.index("status"),
        IDBKeyRange.bound([status, cursor ?? ""], [status, []], cursor !== undefined),
        limit + 1,
      );
    });
    const items = rows.slice(0, limit).map(fromRow);
    return rows.length > limit ? { items, cursor: items[limit - 1]?.bot_id as string } : { items };
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    checkPutRecord(record, expectedVersion);
    const row = toRow(record);
    return this.database.run([RECORDS, HISTORY, META], "readwrite", async (tx) => {
      const records = tx.objectStore(RECORDS);
      const current = (await request(records.get(record.bot_id))) as Row | undefined;
      if ((current?.version ?? null) !== expectedVersion) return false;
      records.put(row, record.bot_id);
      tx.objectStore(HISTORY).put(row, [record.bot_id, record.version]);
      await this.#bump(tx);
      return true;
    });
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    return this.database.run([RECORDS], "readwrite", async (tx) => {
      const records = tx.objectStore(RECORDS);
      const current = (await request(records.get(botId))) as Row | undefined;
      if (current === undefined || current.version !== version) return false;
      // The version kept in history stays as it was written.
      records.put({ ...current, last_accessed_at: lastAccessedAt }, botId);
      return true;
    });
  }

  async delete(botId: string): Promise<boolean> {
    return this.database.run([RECORDS, HISTORY, META], "readwrite", async (tx) => {
      const records = tx.objectStore(RECORDS);
      if ((await request(records.count(botId))) === 0) return false;
      records.delete(botId);
      tx.objectStore(HISTORY).delete(versionsOf(botId));
      await this.#bump(tx);
      return true;
    });
  }

  async clear(): Promise<string[]> {
    return this.database.run([RECORDS, HISTORY, META], "readwrite", async (tx) => {
      const records = tx.objectStore(RECORDS);
      const ids = (await request(records.getAllKeys())) as string[];
      records.clear();
      tx.objectStore(HISTORY).clear();
      if (ids.length > 0) await this.#bump(tx);
      return ids;
    });
  }

  async revision(): Promise<string> {
    const at = await this.database.run([META], "readwrite", (tx) => this.#revision(tx));
    return `${at.epoch}-${at.changes}`;
  }

  /** The stored revision, made (with a random epoch) when the database has none yet. */
  async #revision(tx: IDBTransaction): Promise<Revision> {
    const meta = tx.objectStore(META);
    const at = (await request(meta.get(REVISION))) as Revision | undefined;
    if (at !== undefined) return at;
    // A random epoch: a database deleted and made again never repeats an earlier revision.
    const fresh: Revision = { epoch: crypto.randomUUID().slice(0, 8), changes: 0 };
    meta.put(fresh, REVISION);
    return fresh;
  }

  async #bump(tx: IDBTransaction): Promise<void> {
    const at = await this.#revision(tx);
    tx.objectStore(META).put({ ...at, changes: at.changes + 1 }, REVISION);
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    const rows = await this.database.run([HISTORY], "readonly", (tx) =>
      collect<Row>(tx.objectStore(HISTORY), versionsOf(botId, below, true), limit + 1, "prev"),
    );
    const items = rows.slice(0, limit).map(fromRow);
    return rows.length > limit
      ? { items, cursor: String(items[limit - 1]?.version as number) }
      : { items };
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    if (!Number.isFinite(version)) return null;
    const row = await get<Row>([botId, version], this.database.keyval(HISTORY));
    return row === undefined ? null : fromRow(row);
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    checkKeepLast(keepLast);
    return this.database.run([HISTORY], "readwrite", async (tx) => {
      const history = tx.objectStore(HISTORY);
      const keys = (await request(history.getAllKeys(versionsOf(botId)))) as [string, number][];
      const removed = Math.max(keys.length - keepLast, 0);
      if (removed > 0) {
        const oldestKept = (keys[removed] as [string, number])[1];
        history.delete(versionsOf(botId, oldestKept, true));
      }
      return removed;
    });
  }
}
