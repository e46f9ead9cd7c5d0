/**
 * The search-index suite (through `conformance()`) over `SqliteSearchIndex` in a SQLite file —
 * ranked by the built-in scorer, lexical only, reopened as another process would; and with
 * vectors in a `MemoryVectorStore`, ranked by FTS5's `bm25()` — plus the bad input of issue 17:
 * table names that would be SQL, and queries full of FTS5 syntax. On Node (`better-sqlite3`),
 * Bun (`bun:sqlite`) and Deno (`node:sqlite`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SqliteSearchIndex,
  type SqliteSearchIndexOptions,
} from "../../src/adapters/sqlite/index.ts";
import { MemoryVectorStore, type SearchIndex } from "../../src/knowledge.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { hostileQueries, hostileTables, searchInputCases } from "./search-input-cases.ts";

const homes = new WeakMap<object, { dir: string; options: SqliteSearchIndexOptions }>();

/** An index (of class `Index`) over `<dir>/search.db`, remembered with its folder. */
function over(
  dir: string,
  options: Omit<SqliteSearchIndexOptions, "path">,
  Index: typeof SqliteSearchIndex,
): SqliteSearchIndex {
  const all = { ...options, path: join(dir, "search.db") };
  const index = new Index(all);
  homes.set(index, { dir, options: all });
  return index;
}

/** The suite's port over indexes made with `options()` (called once per index, shared by its reopens). */
function searchIndexPort(
  options: () => Omit<SqliteSearchIndexOptions, "path">,
  persistent: boolean,
  Index: typeof SqliteSearchIndex,
) {
  return {
    capabilities: { vector: options().vectors !== undefined, persistent },
    create: () => over(mkdtempSync(join(tmpdir(), "botknobs-fts-")), options(), Index),
    reopen: (index: SearchIndex) => {
      const home = homes.get(index) as { dir: string; options: SqliteSearchIndexOptions };
      return over(home.dir, home.options, Index);
    },
    destroy: async (index: SearchIndex) => {
      await index.close();
      rmSync((homes.get(index) as { dir: string }).dir, { recursive: true, force: true });
    },
  };
}

/**
 * The umbrella over `SqliteSearchIndex` in a SQLite file, both rankings; `Index` is the real
 * class unless given (the mutant kit gives a patched one).
 */
export function sqliteSearchConformance(
  h: TestHarness,
  runtime: string,
  Index: typeof SqliteSearchIndex = SqliteSearchIndex,
): void {
  conformance(h, {
    name: `sqlite fts5, built-in ranking (${runtime})`,
    searchIndex: { ...searchIndexPort(() => ({ table: "kb_search" }), true, Index) },
  });
  conformance(h, {
    name: `sqlite fts5, bm25() ranking, vectors in memory (${runtime})`,
    // The memory store forgets what it held: the index declares itself not persistent.
    searchIndex: {
      ...searchIndexPort(
        () => ({ ranking: "engine", vectors: new MemoryVectorStore() }),
        false,
        Index,
      ),
    },
  });
}

export function runSqliteSearchSuites(h: TestHarness, runtime: string): void {
  sqliteSearchConformance(h, runtime);
  searchInputCases(h, `SqliteSearchIndex on ${runtime}`, {
    create: (table) =>
      new SqliteSearchIndex({ path: ":memory:", ...(table !== undefined ? { table } : {}) }),
    tables: hostileTables,
    queries: hostileQueries,
  });
}
