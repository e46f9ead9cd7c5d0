// D1SearchIndex inside workerd, over the D1 binding wrangler.toml gives (miniflare's D1, FTS5
// included): the search-index suite through conformance() — ranked by the built-in scorer,
// reopened as another isolate would; and with vectors in a MemoryVectorStore, ranked by FTS5's
// bm25() — and the bad input of issue 17. Each index has tables of its own, dropped after it.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { D1SearchIndex, type D1SearchIndexOptions } from "../../src/adapters/d1/index.ts";
import { MemoryVectorStore, type SearchIndex } from "../../src/knowledge.ts";
import { conformance } from "../../src/testing/index.ts";
import { hostileQueries, hostileTables, searchInputCases } from "../node/search-input-cases.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const db = env.REGISTRY_DB;
const homes = new WeakMap<object, Omit<D1SearchIndexOptions, "db">>();

function over(options: Omit<D1SearchIndexOptions, "db">): D1SearchIndex {
  const index = new D1SearchIndex({ db, ...options });
  homes.set(index, options);
  return index;
}

/** Drops an index's tables. */
async function drop(index: SearchIndex): Promise<void> {
  await index.close();
  const table = homes.get(index)?.table ?? "botknobs_search";
  await db.batch(
    ["fts", "chunks", "sources", "terms", "scopes", "guard"].map((t) =>
      db.prepare(`DROP TABLE IF EXISTS "${table}_${t}"`),
    ),
  );
}

const prefix = (): string => `kb_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

function port(options: () => Omit<D1SearchIndexOptions, "db" | "table">, persistent: boolean) {
  return {
    capabilities: { vector: options().vectors !== undefined, persistent },
    create: () => over({ ...options(), table: prefix() }),
    reopen: (index: SearchIndex) => over(homes.get(index) as Omit<D1SearchIndexOptions, "db">),
    destroy: drop,
  };
}

conformance(h, {
  name: "D1SearchIndex, built-in ranking (workerd)",
  searchIndex: { ...port(() => ({}), true) },
});
conformance(h, {
  name: "D1SearchIndex, bm25() ranking, vectors in memory (workerd)",
  searchIndex: { ...port(() => ({ ranking: "engine", vectors: new MemoryVectorStore() }), false) },
});
searchInputCases(h, "D1SearchIndex (workerd)", {
  create: (table) => over({ table: table === "order" ? "order" : (table as string) }),
  tables: hostileTables,
  queries: hostileQueries,
  destroy: drop,
});
