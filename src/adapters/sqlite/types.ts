/**
 * The one small driver interface of `SqliteRecordStore`: the structural subset of a SQLite
 * connection that `better-sqlite3` (Node), `bun:sqlite` (Bun) and `node:sqlite` (Deno, and
 * Node 22.5+) all have, so the store needs none of their types. A type test checks that
 * `better-sqlite3`'s `Database` fits it.
 * @module
 */

/**
 * A prepared statement (`Statement` of better-sqlite3 and bun:sqlite, `StatementSync` of
 * node:sqlite). The store binds strings, numbers and `null` to its `?` placeholders.
 */
export interface SqliteStatementLike {
  /** Runs a statement that returns no rows; `changes`: the rows it changed (its triggers' not counted). */
  run(...params: unknown[]): { changes: number | bigint };
  /** Runs a statement that returns rows. */
  all(...params: unknown[]): unknown[];
}

/** An open connection (`Database` of better-sqlite3 and bun:sqlite, `DatabaseSync` of node:sqlite). */
export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike;
  /** Runs statements without parameters (the schema, `BEGIN`/`COMMIT`). */
  exec(sql: string): unknown;
  close(): unknown;
}
