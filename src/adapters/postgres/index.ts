/**
 * `botknobs/postgres`: the registry in PostgreSQL ({@link PostgresRecordStore}, with
 * compare-and-set and history), {@link PostgresEventBus}, an event bus over LISTEN/NOTIFY
 * (`pg_notify`) with an events table as its replay window, and {@link PostgresSearchIndex},
 * knowledge search over `tsvector` with a GIN index, and {@link PgvectorVectorStore}, the
 * `VectorStore` port over pgvector (HNSW, cosine) for hybrid search, through the `postgres` client
 * (Postgres.js, an optional peer dependency, imported only when a store or bus connects).
 * The seed's `createRegistryBackend("postgres", …)` and `createEventBus({ backend: "postgres" })`
 * are `botknobs/node`'s (this entry's `createEventBus` knows `postgres` too).
 * @module
 */

export { createPostgresClient, type PostgresConnectionOptions } from "./postgres-client.ts";
export {
  POSTGRES_MAX_EVENT_BYTES,
  PostgresEventBus,
  type PostgresEventBusOptions,
} from "./postgres-event-bus.ts";
export { createEventBus, postgresEventBuses } from "./postgres-event-bus-factory.ts";
export type {
  PostgresConnection,
  PostgresModuleLike,
  PostgresQueryLike,
  PostgresSqlLike as PostgresEventsSqlLike,
} from "./postgres-events-client.ts";
export { DEFAULT_VECTOR_TABLE, PGVECTOR_INDEX_MAX_DIMENSIONS } from "./postgres-pgvector-sql.ts";
export {
  PgvectorVectorStore,
  type PgvectorVectorStoreOptions,
} from "./postgres-pgvector-store.ts";
export {
  PostgresRecordStore,
  type PostgresRecordStoreOptions,
} from "./postgres-record-store.ts";
export type { PostgresSearchTables, PostgresTables } from "./postgres-schema.ts";
export {
  PostgresSearchIndex,
  type PostgresSearchIndexOptions,
} from "./postgres-search-index.ts";
export type { PostgresRowsLike, PostgresSqlLike, PostgresTransactionLike } from "./types.ts";
