import {
  SqlSearchIndex,
  type SqlSearchIndexOptions,
} from "../../core/knowledge/index/sql-search-index.ts";
import {
  type SearchSqlReady,
  SearchStatements,
} from "../../core/knowledge/index/sql-search-statements.ts";
import { quotedTables } from "../../core/knowledge/index/sql-search-tables.ts";
import type { SearchIndex } from "../../core/knowledge/index/types.ts";
import {
  checkGivenClient,
  currentSchema,
  openPostgresSession,
  type PostgresConnectionOptions,
  postgresConnection,
} from "./postgres-client.ts";
import { type PostgresSearchTables, postgresSearchTables } from "./postgres-schema.ts";
import { postgresSearchSchema } from "./postgres-search-schema.ts";
import type { PostgresSqlLike } from "./types.ts";

/** Options of {@link PostgresSearchIndex}: where the server is (or a client), and the tables. */
export interface PostgresSearchIndexOptions
  extends PostgresConnectionOptions,
    SqlSearchIndexOptions {
  /**
   * The prefix of the index's tables, `name` or `schema.name` (`<name>_chunks`, …): letters,
   * digits and `_`, at most 48 characters each; any other name is a `ValidationError`, never
   * SQL. Default `botknobs_search` in the connection's schema.
   */
  table?: string;
  /** A client of yours (`postgres(…)`) instead of the connection keys; the index never ends it. */
  sql?: PostgresSqlLike;
  /**
   * Close `vectors` when the index closes (default false: a store you give stays yours). The
   * `pgvector` factory type sets it, the store being the index's own.
   */
  closeVectors?: boolean;
}

/**
 * Search in PostgreSQL: chunks in a table whose `tsvector` column (`english`) has a GIN index,
 * one transaction per commit (the scope's advisory lock held), filters as SQL over `jsonb`.
 * Ranked by the built-in BM25F scorer over the engine's candidates (any of the query's words)
 * unless `ranking: "engine"` (`ts_rank_cd`).
 * @example
 * const index = new PostgresSearchIndex({ host: "127.0.0.1", database: "app", table: "kb" });
 * const kb = new RAGKnowledgeBase({ index });
 */
export class PostgresSearchIndex extends SqlSearchIndex implements SearchIndex {
  readonly #options: PostgresSearchIndexOptions;
  readonly #tables: PostgresSearchTables;
  #client: PostgresSqlLike | null = null;

  constructor(options: PostgresSearchIndexOptions = {}) {
    checkGivenClient("PostgresSearchIndex", options.sql);
    super("postgres-fts", options, true);
    this.#options = { ...options };
    this.#tables = postgresSearchTables(options.table);
  }

  /** The table names this index uses (and its schema, when given). */
  get tables(): PostgresSearchTables {
    return this.#tables;
  }

  protected async connect(): Promise<SearchSqlReady> {
    const { sql, owned, value } = await openPostgresSession(
      this.#options.sql,
      this.#options,
      "create the search tables",
      async (sql) => {
        const schema = this.#tables.schema ?? (await currentSchema(sql));
        const { names } = this.#tables;
        await sql.unsafe(postgresSearchSchema(schema, names, this.#tables.schema !== null));
        return new SearchStatements("postgres", quotedTables(names, schema));
      },
    );
    this.#client = owned ? sql : null;
    return { connection: postgresConnection(sql), statements: value };
  }

  /** Closes the connection (ended when the index made it), and `vectors` with `closeVectors`. */
  override async close(): Promise<void> {
    await super.close();
    if (this.#options.closeVectors) await this.vectors?.close();
  }

  protected async disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end({ timeout: 5 });
  }

  override toString(): string {
    const { schema, names } = this.#tables;
    return `PostgresSearchIndex(${schema === null ? "" : `${schema}.`}${names.chunks})`;
  }
}
