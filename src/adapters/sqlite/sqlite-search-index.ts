/**
 * {@link SqliteSearchIndex}: the `SearchIndex` port in a SQLite file with FTS5, on Node
 * (`better-sqlite3`), Bun (`bun:sqlite`) and Deno (`node:sqlite`) — the tables and statements
 * D1's `D1SearchIndex` has (`sqlite-search-schema.ts`, `SearchStatements`), created on
 * `initialize()`.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import {
  SqlSearchIndex,
  type SqlSearchIndexOptions,
} from "../../core/knowledge/index/sql-search-index.ts";
import {
  type SearchSqlReady,
  SearchStatements,
} from "../../core/knowledge/index/sql-search-statements.ts";
import {
  quotedTables,
  type SearchTableNames,
  searchTableNames,
} from "../../core/knowledge/index/sql-search-tables.ts";
import { sqliteSearchSchema } from "../../core/knowledge/index/sqlite-search-schema.ts";
import type { SearchIndex } from "../../core/knowledge/index/types.ts";
import {
  checkSqliteSource,
  openSqliteSource,
  type SqliteDriverName,
  sqliteConnection,
} from "./sqlite-driver.ts";
import type { SqliteDatabaseLike } from "./types.ts";

/** Options of {@link SqliteSearchIndex}: a `path` to open, or a `database` already open. */
export interface SqliteSearchIndexOptions extends SqlSearchIndexOptions {
  /** The database file, created if missing (its folder must exist); `":memory:"` for one in memory. */
  path?: string;
  /** An open connection of any of the drivers instead of `path` (the index never closes it). */
  database?: SqliteDatabaseLike;
  /**
   * The prefix of the index's tables (`<table>_chunks`, `<table>_fts`, …): letters, digits and
   * `_`, at most 48 characters; any other name is a `ValidationError`. Default `botknobs_search`.
   */
  table?: string;
  /** The driver to open `path` with (default: the runtime's, see `runtimeSqliteDriver`). */
  driver?: SqliteDriverName;
  /** How long a commit waits for another process's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Search in a SQLite file: chunks in a table with an FTS5 index over them, one transaction per
 * commit (WAL: readers never wait for it; several processes may share the file). Ranked by the
 * built-in BM25F scorer over FTS5's candidates unless `ranking: "engine"` (FTS5's `bm25()`).
 * @example
 * const index = new SqliteSearchIndex({ path: "./search.db" });
 * const kb = new RAGKnowledgeBase({ index });
 */
export class SqliteSearchIndex extends SqlSearchIndex implements SearchIndex {
  readonly #options: SqliteSearchIndexOptions;
  readonly #names: SearchTableNames;
  #db: SqliteDatabaseLike | null = null;

  constructor(options: SqliteSearchIndexOptions) {
    checkSqliteSource(options, "SqliteSearchIndex");
    super("sqlite-fts5", options, options.path !== ":memory:");
    this.#options = { ...options };
    this.#names = searchTableNames(options.table);
  }

  /** The table names this index uses. */
  get tables(): SearchTableNames {
    return this.#names;
  }

  protected async connect(): Promise<SearchSqlReady> {
    const { database } = this.#options;
    const db = await openSqliteSource(this.#options);
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const sql of sqliteSearchSchema(this.#names)) db.exec(sql);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      if (database === undefined) db.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("sqlite", `cannot create the search tables: ${message}`, {
        cause: error,
      });
    }
    this.#db = database === undefined ? db : null;
    return {
      connection: sqliteConnection(db),
      statements: new SearchStatements("sqlite", quotedTables(this.#names, null)),
    };
  }

  protected async disconnect(): Promise<void> {
    this.#db?.close();
    this.#db = null;
  }

  override toString(): string {
    return `SqliteSearchIndex(${this.#options.path ?? "database"}, ${this.#names.chunks})`;
  }
}
