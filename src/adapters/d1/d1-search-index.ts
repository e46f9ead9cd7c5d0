/**
 * {@link D1SearchIndex}: the `SearchIndex` port on Cloudflare D1 with FTS5 — the tables of
 * `SqliteSearchIndex` (`sqlite-search-schema.ts`, created on `initialize()`) and the same
 * statements (`SearchStatements`), each commit one `batch()` (D1 runs a batch as a transaction).
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import {
  SqlSearchIndex,
  type SqlSearchIndexOptions,
} from "../../core/knowledge/index/sql-search-index.ts";
import {
  type SearchSqlConnection,
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
import { D1_MAX_BOUND_PARAMETERS } from "./d1-record-store.ts";
import type { D1DatabaseLike, D1StatementLike } from "./types.ts";

/** Options of {@link D1SearchIndex}. */
export interface D1SearchIndexOptions extends SqlSearchIndexOptions {
  /** The D1 binding (`env.SEARCH_DB` with `[[d1_databases]]` in `wrangler.toml`). */
  db: D1DatabaseLike;
  /**
   * The prefix of the index's tables (`<table>_chunks`, `<table>_fts`, …): letters, digits and
   * `_`, at most 48 characters; any other name is a `ValidationError`. Default `botknobs_search`.
   */
  table?: string;
}

/** The index's statements on a D1 binding. */
function d1Connection(db: D1DatabaseLike & Required<Pick<D1DatabaseLike, "batch">>) {
  const prepare = (sql: string, params: readonly unknown[]): D1StatementLike => {
    if (params.length > D1_MAX_BOUND_PARAMETERS)
      throw new ValidationError(
        `A D1 statement binds at most ${D1_MAX_BOUND_PARAMETERS} parameters (this one ${params.length}): use fewer $in values`,
      );
    return db.prepare(sql).bind(...params);
  };
  const connection: SearchSqlConnection = {
    all: async <T>(sql: string, params: readonly unknown[]) =>
      (await prepare(sql, params).all<T>()).results,
    batch: async (statements) =>
      // One call, one transaction: D1 takes the statements at once.
      (await db.batch(Array.from(statements, (s) => prepare(s.sql, s.params)))).map(
        (r) => r.results ?? [],
      ),
  };
  return connection;
}

/**
 * Search in D1: chunks in a table with an FTS5 index over them, a commit one batch (atomic:
 * a query sees the knowledge base before or after it). Ranked by the built-in BM25F scorer over
 * FTS5's candidates unless `ranking: "engine"` (FTS5's `bm25()`). Vectors, when wanted, live in
 * a `VectorStore` given as `vectors` (`VectorizeVectorStore`).
 * @example
 * const index = new D1SearchIndex({ db: env.SEARCH_DB });
 * const kb = new RAGKnowledgeBase({ index });
 */
export class D1SearchIndex extends SqlSearchIndex implements SearchIndex {
  readonly #db: D1DatabaseLike & Required<Pick<D1DatabaseLike, "batch">>;
  readonly #names: SearchTableNames;

  constructor(options: D1SearchIndexOptions) {
    if (typeof options?.db?.prepare !== "function" || typeof options.db.batch !== "function")
      throw new ValidationError("D1SearchIndex needs a D1 database binding (options.db)", [
        { path: ["db"], message: "expected a D1Database binding" },
      ]);
    super("d1-fts5", options, true);
    this.#db = options.db as D1DatabaseLike & Required<Pick<D1DatabaseLike, "batch">>;
    this.#names = searchTableNames(options.table);
  }

  /** The table names this index uses. */
  get tables(): SearchTableNames {
    return this.#names;
  }

  /** Creates the tables when missing (idempotent statements, in one batch). */
  protected async connect(): Promise<SearchSqlReady> {
    const db = this.#db;
    try {
      await db.batch(sqliteSearchSchema(this.#names).map((sql) => db.prepare(sql)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("d1", `cannot create the search tables: ${message}`, {
        cause: error,
      });
    }
    return {
      connection: d1Connection(db),
      statements: new SearchStatements("sqlite", quotedTables(this.#names, null)),
    };
  }

  protected async disconnect(): Promise<void> {}
}
