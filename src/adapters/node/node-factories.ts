/**
 * The factories of `botknobs/node`: the registry types of `botknobs/fs` (`file`), of
 * `botknobs/sqlite` (`sqlite`) and of `botknobs/postgres` (`postgres`), besides the core's
 * (`memory`, `http`), and the search indexes in those databases (`nodeSearchIndexes`). Each store loads its driver or client when it opens, never on import:
 * `createRegistryBackend("file", …)` loads neither SQLite nor PostgreSQL code of theirs.
 * @module
 */

import type { SearchIndex } from "../../core/knowledge/index/types.ts";
import { createRegistryBackend as createWith } from "../../core/registry/factory.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import { createFromTable, type FactoryTable } from "../../core/util/factory.ts";
import {
  nodeRecordStores as fileRecordStores,
  nodeRegistryBackends as fileRegistryBackends,
} from "../fs/fs-factories.ts";
import {
  postgresRecordStores,
  postgresRegistryBackends,
  postgresSearchIndexes,
} from "../postgres/postgres-factories.ts";
import {
  sqliteRecordStores,
  sqliteRegistryBackends,
  sqliteSearchIndexes,
} from "../sqlite/sqlite-factories.ts";

/**
 * The record store types `botknobs/node` knows: `memory`, `file` (key `path`), `sqlite` (`path`,
 * `table`) and `postgres` (`host`, `port`, `database`, `user`, `password`, `ssl`, `table` — or
 * `connection_string`).
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "postgres", backend_config: { host: "localhost", database: "myapp", table: "bot_configs" }, recordStores: nodeRecordStores });
 */
export const nodeRecordStores: FactoryTable<RecordStore> = {
  ...fileRecordStores,
  ...sqliteRecordStores,
  ...postgresRecordStores,
};

/**
 * The registry backend types `botknobs/node` knows: `memory`, `http`, `file`, `sqlite` and
 * `postgres` (each with `history_limit`, the versions kept per bot, besides its own keys).
 * @example
 * const backend = createFromTable("registry backend", nodeRegistryBackends, "sqlite", { path: "./registry.db" });
 */
export const nodeRegistryBackends: FactoryTable<RegistryBackend> = {
  ...fileRegistryBackends,
  ...sqliteRegistryBackends,
  ...postgresRegistryBackends,
};

/**
 * The seed's `createRegistryBackend` knowing `memory`, `http`, `file`, `sqlite` and `postgres`
 * with the seed's keys; an unknown type or key is a `ValidationError` naming what is accepted.
 * @example
 * const backend = createRegistryBackend("postgres", { host: "localhost", database: "myapp", table: "bot_configs" });
 * const local = createRegistryBackend("sqlite", { path: "./registry.db", table: "bot_configs" });
 * await backend.initialize();
 */
export function createRegistryBackend(
  type: string,
  config: Record<string, unknown> = {},
): RegistryBackend {
  return createWith(type, config, nodeRegistryBackends);
}

/**
 * The search index types `botknobs/node` knows: `sqlite` (keys `path`, `table`, `ranking`),
 * `postgres` (the connection keys, `table`, `ranking`) and `pgvector` (the same, with the chunk
 * vectors in pgvector: `vectors_table`, `dimensions`), each loaded on first use. Give them to
 * `RAGKnowledgeBase.fromConfig` and the seed's `vector_store: { backend, … }` picks one.
 * @example
 * const kb = await RAGKnowledgeBase.fromConfig({ vector_store: { backend: "sqlite", path: "./search.db" } }, { indexes: nodeSearchIndexes });
 */
export const nodeSearchIndexes: FactoryTable<SearchIndex> = {
  ...sqliteSearchIndexes,
  ...postgresSearchIndexes,
};

/**
 * A search index of a type of {@link nodeSearchIndexes} from the seed's keys; an unknown type
 * or key is a `ValidationError` naming what is accepted.
 * @example
 * const index = createSearchIndex("postgres", { host: "localhost", database: "app", table: "kb" });
 */
export function createSearchIndex(type: string, config: Record<string, unknown> = {}): SearchIndex {
  return createFromTable("search index", nodeSearchIndexes, type, config);
}
