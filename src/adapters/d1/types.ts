/**
 * The structural subset of Cloudflare's `D1Database` that `D1RecordStore` and `D1SearchIndex` use, so the
 * adapter needs no platform types: a Worker's `env.MY_DB` fits it (a type test checks this
 * against `@cloudflare/workers-types`).
 * @module
 */

/** A prepared statement (`D1PreparedStatement`). */
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  run(): Promise<{ meta: { changes: number } }>;
  all<T>(): Promise<{ results: T[] }>;
  first<T>(): Promise<T | null>;
}

/** The calls of a D1 binding the store makes. */
export interface D1DatabaseLike {
  prepare(sql: string): D1StatementLike;
  /**
   * Runs statements as one transaction (all or none), each's result in order: what
   * `D1SearchIndex` commits with (the record store needs one statement at a time only).
   */
  batch?<T = unknown>(statements: D1StatementLike[]): Promise<{ results: T[] }[]>;
}
