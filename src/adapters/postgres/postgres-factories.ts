/**
 * The `postgres` type of the seed's factories: `createRegistryBackend("postgres", { host, port,
 * database, user, password, table })` (or `connection_string`) — a {@link PostgresRecordStore}
 * under a `StoreRegistryBackend` — and the record store of
 * `DataKnobsRegistryAdapter({ backend_type: "postgres", backend_config })`. `botknobs/node`'s
 * factories include them; the client loads only when such a store connects.
 * @module
 */
import * as z from "zod/mini";
import {
  LazySearchIndex,
  lexicalCapabilities,
  rankingKey,
} from "../../core/knowledge/index/lazy-search-index.ts";
import { DEFAULT_SEARCH_TABLE } from "../../core/knowledge/index/sql-search-tables.ts";
import type { SearchIndex } from "../../core/knowledge/index/types.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { storeFactoryEntries } from "../../core/registry/store-factories.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import type { PostgresConnectionOptions } from "./postgres-client.ts";
import { pgvectorTable } from "./postgres-pgvector-sql.ts";
import { PostgresRecordStore, type PostgresRecordStoreOptions } from "./postgres-record-store.ts";
import { postgresSearchTables } from "./postgres-schema.ts";

/**
 * The seed's connection keys as zod shapes, for the factories' schemas.
 * @example
 * const schema = z.strictObject({ ...postgresConnectionKeys, table: z.optional(z.string()) });
 */
export const postgresConnectionKeys: Readonly<
  Record<keyof PostgresConnectionOptions, z.ZodMiniType>
> = {
  connection_string: z.optional(z.string().check(z.minLength(1))),
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.int().check(z.minimum(1), z.maximum(65_535))),
  database: z.optional(z.string().check(z.minLength(1))),
  user: z.optional(z.string().check(z.minLength(1))),
  password: z.optional(z.string()),
  ssl: z.optional(
    z.union([z.boolean(), z.literal("require"), z.literal("prefer"), z.literal("verify-full")]),
  ),
};

/** The connection keys and `table`; a store of the keys given. */
const postgres = storeFactoryEntries(
  { ...postgresConnectionKeys, table: z.optional(z.string()) },
  (config) => new PostgresRecordStore(config as PostgresRecordStoreOptions),
);

/**
 * The record store type `postgres` (the connection keys and `table`), for `DataKnobsRegistryAdapter`.
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "postgres", backend_config: { host: "localhost", database: "myapp", table: "bot_configs" }, recordStores: postgresRecordStores });
 */
export const postgresRecordStores: FactoryTable<RecordStore> = { postgres: postgres.store };

/**
 * The registry backend type `postgres` (the connection keys, `table`, and `history_limit`: the
 * versions kept per bot), for `createRegistryBackend`.
 * @example
 * const backend = createFromTable("registry backend", postgresRegistryBackends, "postgres", { host: "localhost", database: "myapp", table: "bot_configs" });
 */
export const postgresRegistryBackends: FactoryTable<RegistryBackend> = {
  postgres: postgres.backend,
};

/** The keys of the search index types: the connection keys, `table` and `ranking`. */
const searchKeys = {
  ...postgresConnectionKeys,
  table: z.optional(z.string()),
  ranking: rankingKey,
};

/**
 * The search index types `postgres` (the connection keys, `table` — a prefix, `name` or
 * `schema.name` — and `ranking`): a `PostgresSearchIndex`, its code loaded on first use and
 * the client when it connects; and `pgvector` (the same keys, `vectors_table` — default
 * `<table>_vectors` — and `dimensions`): hybrid search, the same index with its chunk vectors
 * in a `PgvectorVectorStore` on the same server (which needs the `vector` extension).
 * @example
 * const index = createFromTable("search index", postgresSearchIndexes, "postgres", { host: "localhost", database: "app", table: "kb" });
 */
export const postgresSearchIndexes: FactoryTable<SearchIndex> = {
  postgres: {
    schema: z.strictObject(searchKeys) as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) => {
      postgresSearchTables(config.table as string | undefined); // refused now, not on first use
      return new LazySearchIndex(
        "postgres-fts",
        async () => new (await import("./postgres-search-index.ts")).PostgresSearchIndex(config),
        lexicalCapabilities(true),
      );
    },
  },
  pgvector: {
    schema: z.strictObject({
      ...searchKeys,
      vectors_table: z.optional(z.string()),
      dimensions: z.optional(z.int().check(z.minimum(1))),
    }) as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) => {
      const { vectors_table, dimensions, ...index } = config;
      const table = (index.table as string | undefined) ?? DEFAULT_SEARCH_TABLE;
      postgresSearchTables(table); // refused now, not on first use
      const vectorsTable = (vectors_table as string | undefined) ?? `${table}_vectors`;
      pgvectorTable(vectorsTable);
      return new LazySearchIndex(
        "postgres-fts",
        async () => {
          const [{ PostgresSearchIndex }, { PgvectorVectorStore }] = await Promise.all([
            import("./postgres-search-index.ts"),
            import("./postgres-pgvector-store.ts"),
          ]);
          const { table: _t, ranking: _r, ...connection } = index;
          const vectors = new PgvectorVectorStore({
            ...connection,
            table: vectorsTable,
            ...(dimensions === undefined ? {} : { dimensions: dimensions as number }),
          });
          return new PostgresSearchIndex({ ...index, table, vectors, closeVectors: true });
        },
        { ...lexicalCapabilities(true), vector: true },
      );
    },
  },
};
