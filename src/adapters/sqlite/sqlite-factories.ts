/**
 * The `sqlite` type of the seed's factories: `createRegistryBackend("sqlite", { path, table })`
 * (a {@link SqliteRecordStore} under a `StoreRegistryBackend`, with `history_limit`) and the
 * record store of `DataKnobsRegistryAdapter({ backend_type: "sqlite", backend_config: { path, table } })`.
 * `botknobs/node`'s factories include them; the driver loads only when such a store opens.
 * @module
 */
import * as z from "zod/mini";
import {
  LazySearchIndex,
  lexicalCapabilities,
  rankingKey,
} from "../../core/knowledge/index/lazy-search-index.ts";
import { searchTableNames } from "../../core/knowledge/index/sql-search-tables.ts";
import type { SearchIndex } from "../../core/knowledge/index/types.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { storeFactoryEntries } from "../../core/registry/store-factories.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { SqliteRecordStore } from "./sqlite-record-store.ts";

/** The seed's keys of a SQLite store: `path` (a file, or `":memory:"`) and `table`. */
const sqlite = storeFactoryEntries(
  { path: z.string().check(z.minLength(1)), table: z.optional(z.string()) },
  (config) =>
    new SqliteRecordStore({
      path: config.path as string,
      ...(config.table !== undefined ? { table: config.table as string } : {}),
    }),
);

/**
 * The record store type `sqlite` (keys `path`, `table`), for `DataKnobsRegistryAdapter`.
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "sqlite", backend_config: { path: "./registry.db" }, recordStores: sqliteRecordStores });
 */
export const sqliteRecordStores: FactoryTable<RecordStore> = { sqlite: sqlite.store };

/**
 * The registry backend type `sqlite` (keys `path`, `table`, `history_limit`), for `createRegistryBackend`.
 * @example
 * const backend = createFromTable("registry backend", sqliteRegistryBackends, "sqlite", { path: "./registry.db" });
 */
export const sqliteRegistryBackends: FactoryTable<RegistryBackend> = { sqlite: sqlite.backend };

/**
 * The search index type `sqlite` (keys `path`, `table`, `ranking`): a `SqliteSearchIndex`,
 * its code loaded on first use — what the seed's `vector_store: { backend: "sqlite", path }`
 * makes in `RAGKnowledgeBase.fromConfig(config, { indexes })`.
 * @example
 * const index = createFromTable("search index", sqliteSearchIndexes, "sqlite", { path: "./search.db" });
 */
export const sqliteSearchIndexes: FactoryTable<SearchIndex> = {
  sqlite: {
    schema: z.strictObject({
      path: z.string().check(z.minLength(1)),
      table: z.optional(z.string()),
      ranking: rankingKey,
    }) as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) => {
      // Checked now (a bad table name is refused at once), loaded when first used.
      searchTableNames(config.table as string | undefined);
      return new LazySearchIndex(
        "sqlite-fts5",
        async () => new (await import("./sqlite-search-index.ts")).SqliteSearchIndex(config),
        lexicalCapabilities(config.path !== ":memory:"),
      );
    },
  },
};
