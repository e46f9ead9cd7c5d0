/**
 * {@link SqliteRecordStore}: the registry's {@link RecordStore} in a SQLite file, on Node
 * (`better-sqlite3`), Bun (`bun:sqlite`) and Deno (`node:sqlite`). Its tables and triggers are
 * D1's (`migrations/`, applied on `initialize()`), its statements `SqlRecordStore`'s.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import type { SqlReady, SqlTables } from "../../core/registry/sql-record-store.ts";
import { SqlRecordStore } from "../../core/registry/sql-record-store.ts";
import {
  quoteName,
  type RecordTableNames,
  recordTableNames,
} from "../../core/registry/sql-tables.ts";
import { sqliteRecordMigrations } from "../../core/registry/sqlite-migrations.ts";
import {
  checkSqliteSource,
  openSqliteSource,
  type SqliteDriverName,
  sqliteConnection,
} from "./sqlite-driver.ts";
import type { SqliteDatabaseLike } from "./types.ts";

/** Options of {@link SqliteRecordStore}: a `path` to open, or a `database` already open. */
export interface SqliteRecordStoreOptions {
  /** The database file, created if missing (its folder must exist); `":memory:"` for one in memory. */
  path?: string;
  /** An open connection of any of the drivers instead of `path` (the store never closes it). */
  database?: SqliteDatabaseLike;
  /**
   * The records table (`<table>_history`, `<table>_revision` and `<table>_migrations` beside
   * it): letters, digits and `_`, at most 48 characters. Default: D1's tables
   * (`botknobs_records`, …), so a file exported from D1 has the same layout.
   */
  table?: string;
  /** The driver to open `path` with (default: the runtime's, see `runtimeSqliteDriver`). */
  driver?: SqliteDriverName;
  /** How long a write waits for another process's write lock before failing, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Applies the migrations not applied yet to these tables, in one `BEGIN IMMEDIATE` transaction
 * (two processes opening a new file at once: one migrates, the other waits and finds it done).
 */
function migrate(db: SqliteDatabaseLike, names: RecordTableNames): void {
  const tracking = quoteName(`${names.records}_migrations`);
  const applied = (): Set<string> => {
    try {
      const rows = db.prepare(`SELECT name FROM ${tracking}`).all() as { name: string }[];
      return new Set(rows.map((r) => r.name));
    } catch {
      return new Set(); // no tracking table yet
    }
  };
  const migrations = sqliteRecordMigrations(names);
  // Read first without a lock: an opened file is migrated already.
  if (migrations.every((m) => applied().has(m.name))) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${tracking} (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const done = applied();
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${tracking} (name, applied_at) VALUES (?, ?)`).run(
        m.name,
        new Date().toISOString(),
      );
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Records in a SQLite file, in the tables D1 has (`migrations/`, created or migrated on
 * `initialize()`): a current row per bot, every kept version, a revision row kept in step by
 * triggers. Each write is one statement, so it is atomic: a process killed in the middle of a
 * write (kill -9, a crash, a power cut with `synchronous = FULL`) leaves the old record or the new
 * one. The file is in WAL mode; several processes may open it (a busy timeout waits out the
 * other writer; compare-and-set keeps their writes apart). The driver is imported when the store
 * opens (`initialize()`), so a bundle that never opens one holds none.
 * @example
 * const store = new SqliteRecordStore({ path: "./registry.db" });
 * const backend = new StoreRegistryBackend({ store });
 * await backend.initialize();
 */
export class SqliteRecordStore extends SqlRecordStore implements RecordStore {
  readonly #options: SqliteRecordStoreOptions;
  readonly #names: RecordTableNames;
  #db: SqliteDatabaseLike | null = null;

  constructor(options: SqliteRecordStoreOptions) {
    super({ name: "sqlite" });
    checkSqliteSource(options, "SqliteRecordStore");
    this.#options = { ...options };
    this.#names = recordTableNames(options.table);
  }

  /** The table names this store uses. */
  get tables(): RecordTableNames {
    return this.#names;
  }

  protected async connect(): Promise<SqlReady> {
    const { database } = this.#options;
    const db = await openSqliteSource(this.#options);
    try {
      migrate(db, this.#names);
    } catch (error) {
      if (database === undefined) db.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("sqlite", `cannot create the registry tables: ${message}`, {
        cause: error,
      });
    }
    this.#db = database === undefined ? db : null;
    const tables: SqlTables = {
      records: quoteName(this.#names.records),
      history: quoteName(this.#names.history),
      revision: quoteName(this.#names.revision),
    };
    return { connection: sqliteConnection(db), tables };
  }

  protected async disconnect(): Promise<void> {
    this.#db?.close();
    this.#db = null;
  }

  override toString(): string {
    return `SqliteRecordStore(${this.#options.path ?? "database"}, ${this.#names.records})`;
  }
}
