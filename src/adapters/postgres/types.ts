/**
 * The structural subset of the `postgres` client (porsager's Postgres.js, an optional peer
 * dependency) that the PostgreSQL adapters use, so they need none of its types: the `sql`
 * function `postgres(…)` returns fits it (a type test checks this).
 * @module
 */

/** The rows of a query, and how many rows it changed (`count`). */
export interface PostgresRowsLike extends ReadonlyArray<unknown> {
  readonly count: number;
}

/** A client (`postgres(…)`): a pool of connections. */
export interface PostgresSqlLike {
  /**
   * Runs `query` with `$1…$n` bound to `parameters` (never spliced into the text); without
   * parameters, several statements in one string, in one implicit transaction.
   */
  unsafe(
    query: string,
    parameters?: unknown[],
    options?: { prepare?: boolean },
  ): PromiseLike<PostgresRowsLike>;
  /**
   * Runs `work` in a transaction on one connection: `BEGIN`, then `COMMIT` when it resolves,
   * `ROLLBACK` when it throws (the search index's commits need it; the record store does not).
   */
  begin?(work: (tx: PostgresTransactionLike) => Promise<unknown>): Promise<unknown>;
  /** Closes every connection (waiting up to `timeout` seconds for running queries). */
  end(options?: { timeout?: number }): Promise<void>;
}

/** The connection of a transaction (`sql.begin(tx => …)`). */
export interface PostgresTransactionLike {
  unsafe(
    query: string,
    parameters?: unknown[],
    options?: { prepare?: boolean },
  ): PromiseLike<PostgresRowsLike>;
}
