/**
 * Opening a SQLite database with the runtime's driver — `better-sqlite3` on Node, `bun:sqlite`
 * on Bun, `node:sqlite` on Deno — each imported only when a store opens, and set up the same
 * way: WAL, a busy timeout, full syncs. Then {@link sqliteConnection} runs the store's
 * statements over it.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type {
  SearchSqlConnection,
  SqlStatement,
} from "../../core/knowledge/index/sql-search-statements.ts";
import type { SqlConnection } from "../../core/registry/sql-record-store.ts";
import type { SqliteDatabaseLike, SqliteStatementLike } from "./types.ts";

/** The drivers `SqliteRecordStore` can open a file with. */
export type SqliteDriverName = "better-sqlite3" | "bun:sqlite" | "node:sqlite";

/** How long a connection waits for another connection's write lock by default (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

// The specifier in a variable: bundlers leave the import alone, so a bundle of botknobs/sqlite
// holds no driver (the one the runtime has is loaded when a store opens).
const load = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ specifier);

/**
 * The driver of the runtime this runs on: `bun:sqlite` on Bun, `node:sqlite` on Deno (Deno 2
 * has it built in), `better-sqlite3` elsewhere (Node 20 has no `node:sqlite`).
 * @example
 * runtimeSqliteDriver(); // "better-sqlite3" on Node
 */
export function runtimeSqliteDriver(): SqliteDriverName {
  if ("Bun" in globalThis) return "bun:sqlite";
  if ("Deno" in globalThis) return "node:sqlite";
  return "better-sqlite3";
}

/**
 * Checks the options of a store or index on SQLite: a non-empty `path` or an open `database`,
 * not both; a `ValidationError` naming `what` otherwise.
 * @example
 * checkSqliteSource({ path: "./x.db" }, "SqliteSearchIndex");
 */
export function checkSqliteSource(
  options: { path?: unknown; database?: unknown } | undefined,
  what: string,
): void {
  const given = (options?.path !== undefined ? 1 : 0) + (options?.database !== undefined ? 1 : 0);
  if (given !== 1)
    throw new ValidationError(`${what} needs a path or a database, not both`, [
      { path: ["path"], message: "give a file path (or ':memory:') or an open database" },
    ]);
  if (options?.path !== undefined && (typeof options.path !== "string" || options.path === ""))
    throw new ValidationError(`${what}: path must be a non-empty string`, [
      { path: ["path"], message: "expected a file path or ':memory:'" },
    ]);
}

/**
 * The database of a store's or index's options: its open `database`, or `path` opened with its
 * `driver` and `busyTimeoutMs` (see {@link openSqliteDatabase}).
 * @example
 * const db = await openSqliteSource({ path: "./search.db" });
 */
export function openSqliteSource(options: {
  path?: string;
  database?: SqliteDatabaseLike;
  driver?: SqliteDriverName;
  busyTimeoutMs?: number;
}): Promise<SqliteDatabaseLike> {
  const { path, database, driver, busyTimeoutMs } = options;
  if (database !== undefined) return Promise.resolve(database);
  return openSqliteDatabase(path as string, {
    ...(driver ? { driver } : {}),
    ...(busyTimeoutMs !== undefined ? { busyTimeoutMs } : {}),
  });
}

/** Opens `path` with `driver` (imported now); an `AdapterError` saying what to install when missing. */
async function open(path: string, driver: SqliteDriverName): Promise<SqliteDatabaseLike> {
  let module: Record<string, unknown>;
  try {
    module = await load(driver);
  } catch (error) {
    throw new AdapterError(
      "sqlite",
      driver === "better-sqlite3"
        ? "the SQLite driver better-sqlite3 is not installed: npm install better-sqlite3@12"
        : `this runtime has no ${driver}`,
      { cause: error },
    );
  }
  type Open = new (path: string) => SqliteDatabaseLike;
  const Database = (
    driver === "better-sqlite3"
      ? module.default
      : driver === "bun:sqlite"
        ? module.Database
        : module.DatabaseSync
  ) as Open;
  return new Database(path);
}

/**
 * Opens a SQLite database file (created if missing; `":memory:"` for one in memory) with the
 * runtime's driver, or `driver`. A file is put in WAL mode (readers never wait for the writer,
 * a writer killed mid-transaction leaves the last commit), with `synchronous = FULL` (a commit is
 * on disk when it returns) and a busy timeout (another process's write lock is waited for, not
 * an error). An `AdapterError` when the driver is missing or the file cannot be opened.
 * @example
 * const db = await openSqliteDatabase("./registry.db");
 */
export async function openSqliteDatabase(
  path: string,
  options: { driver?: SqliteDriverName; busyTimeoutMs?: number } = {},
): Promise<SqliteDatabaseLike> {
  const driver = options.driver ?? runtimeSqliteDriver();
  const db = await open(path, driver);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS)}`);
    if (path !== ":memory:") {
      const [row] = db.prepare("PRAGMA journal_mode = WAL").all() as { journal_mode?: string }[];
      if (row?.journal_mode?.toLowerCase() !== "wal")
        throw new Error(`the file stays in journal mode ${row?.journal_mode} (WAL was asked for)`);
    }
    db.exec("PRAGMA synchronous = FULL");
    return db;
  } catch (error) {
    db.close();
    const message = error instanceof Error ? error.message : String(error);
    throw new AdapterError("sqlite", `cannot open ${path} with ${driver}: ${message}`, {
      cause: error,
    });
  }
}

/** Prepared statements kept per connection (a search index's filters make new texts). */
const MAX_PREPARED = 256;

/** Prepares `sql` once and keeps it (the least recently prepared dropped past the bound). */
function preparer(db: SqliteDatabaseLike): (sql: string) => SqliteStatementLike {
  const prepared = new Map<string, SqliteStatementLike>();
  return (sql) => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = db.prepare(sql);
      if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value as string);
      prepared.set(sql, found);
    }
    return found;
  };
}

/**
 * Runs statements over an open database, each prepared once and kept. The drivers are
 * synchronous: a statement runs to its end before anything else in this process does.
 * @example
 * const connection = sqliteConnection(await openSqliteDatabase(":memory:"));
 */
export function sqliteConnection(db: SqliteDatabaseLike): SqlConnection & SearchSqlConnection {
  const statement = preparer(db);
  return {
    run: async (sql, params) => Number(statement(sql).run(...params).changes),
    all: async <T>(sql: string, params: readonly unknown[]) => statement(sql).all(...params) as T[],
    // Synchronous from BEGIN to COMMIT: nothing else of this process runs in between.
    batch: async (statements: Iterable<SqlStatement>) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        const out: unknown[][] = [];
        for (const s of statements) {
          if (s.rows) out.push(statement(s.sql).all(...s.params));
          else {
            statement(s.sql).run(...s.params);
            out.push([]);
          }
        }
        db.exec("COMMIT");
        return out;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
}
