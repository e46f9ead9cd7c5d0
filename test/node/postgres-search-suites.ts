/**
 * The search-index suite (through `conformance()`) over `PostgresSearchIndex` against the real
 * server — ranked by the built-in scorer, lexical only, reopened as another process would; and
 * with vectors in a `MemoryVectorStore`, ranked by `ts_rank_cd` — plus the bad input of issue 17.
 * Each index works in a schema of its own (`bk_<random>.kb`), dropped when the case ends. pgvector
 * is used where the server has it: this one has not, and the case says so as a skip.
 */
import {
  PostgresSearchIndex,
  type PostgresSearchIndexOptions,
} from "../../src/adapters/postgres/index.ts";
import { MemoryVectorStore, type SearchIndex } from "../../src/knowledge.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { admin, PG_URL, randomName } from "../fixtures/postgres.ts";
import { hostileQueries, hostileTables, searchInputCases } from "./search-input-cases.ts";

const homes = new WeakMap<object, Omit<PostgresSearchIndexOptions, "connection_string">>();

function over(options: Omit<PostgresSearchIndexOptions, "connection_string">): PostgresSearchIndex {
  const index = new PostgresSearchIndex({ connection_string: PG_URL, ...options });
  homes.set(index, options);
  return index;
}

/** Drops an index's schema (`schema.prefix`) and all in it. */
async function drop(index: SearchIndex): Promise<void> {
  await index.close();
  const table = homes.get(index)?.table ?? "";
  if (table.includes("."))
    await admin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${table.split(".")[0]}" CASCADE`));
}

function searchIndexPort(
  options: () => Omit<PostgresSearchIndexOptions, "connection_string" | "table">,
  persistent: boolean,
) {
  return {
    capabilities: { vector: options().vectors !== undefined, persistent },
    create: () => over({ ...options(), table: `${randomName()}.kb` }),
    reopen: (index: SearchIndex) => over(homes.get(index) as PostgresSearchIndexOptions),
    destroy: drop,
  };
}

export function runPostgresSearchSuites(h: TestHarness, runtime: string): void {
  conformance(h, {
    name: `postgres full text, built-in ranking (${runtime})`,
    searchIndex: { ...searchIndexPort(() => ({}), true) },
  });
  conformance(h, {
    name: `postgres full text, ts_rank_cd ranking, vectors in memory (${runtime})`,
    searchIndex: {
      ...searchIndexPort(() => ({ ranking: "engine", vectors: new MemoryVectorStore() }), false),
    },
  });
  searchInputCases(h, `PostgresSearchIndex on ${runtime}`, {
    create: (table) =>
      over({ table: table === "order" ? `${randomName()}.order` : (table as string) }),
    tables: [...hostileTables, "main.t x", 'a."b"'],
    queries: hostileQueries,
    destroy: drop,
  });
}
