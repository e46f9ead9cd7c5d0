// The seed's keys choose a search index in the database (issue 17): `vector_store: { backend:
// "sqlite", path }` in RAGKnowledgeBase.fromConfig with botknobs/node's nodeSearchIndexes, and
// createSearchIndex("sqlite" | "postgres", …); each engine's code loads only when first used.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSearchIndex, nodeSearchIndexes } from "../../src/adapters/node/index.ts";
import { SqliteSearchIndex } from "../../src/adapters/sqlite/index.ts";
import { RAGKnowledgeBase, ValidationError } from "../../src/index.ts";

describe("search index factories (botknobs/node)", () => {
  it('RAGKnowledgeBase.fromConfig({ vector_store: { backend: "sqlite", path } }) keeps the chunks in that file', async () => {
    const dir = mkdtempSync(join(tmpdir(), "botknobs-fts-factory-"));
    try {
      const path = join(dir, "search.db");
      const kb = await RAGKnowledgeBase.fromConfig(
        { vector_store: { backend: "sqlite", path, table: "kb" } },
        { indexes: nodeSearchIndexes },
      );
      expect([kb.index.name, kb.index.capabilities.persistent]).toEqual(["sqlite-fts5", true]);
      await kb.index.initialize();
      await kb.loadMarkdownText("# FAQ\n\nReset your password in settings.", "faq.md", {
        domainId: "support",
      });
      await kb.index.close();
      // Another index over the file and table finds it: the factory's keys were used.
      const again = new SqliteSearchIndex({ path, table: "kb" });
      const hits = await again.query(await again.scopes(), { text: "password", k: 3 });
      expect(hits.map((h) => h.chunk.source)).toEqual(["faq.md"]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("unknown backends and keys, and bad table names, are ValidationErrors at once", async () => {
    const bad = [
      () => RAGKnowledgeBase.fromConfig({ vector_store: { backend: "chroma" } }),
      () =>
        RAGKnowledgeBase.fromConfig(
          { vector_store: { backend: "sqlite", path: "x.db", colour: "red" } },
          { indexes: nodeSearchIndexes },
        ),
      () => RAGKnowledgeBase.fromConfig({ vector_store: { backend: "memory", path: "x.db" } }),
      async () => createSearchIndex("sqlite", { path: ":memory:", table: 'x"; DROP TABLE y; --' }),
      async () => createSearchIndex("postgres", { host: "127.0.0.1", table: "a b" }),
      async () => createSearchIndex("elastic", {}),
    ];
    for (const make of bad) await expect(make()).rejects.toBeInstanceOf(ValidationError);
  });

  it('createSearchIndex("postgres", { host, database, table }) is made without loading the client', () => {
    const index = createSearchIndex("postgres", {
      host: "127.0.0.1",
      port: 5432,
      database: "test",
      user: "postgres",
      table: "app.kb",
      ranking: "engine",
    });
    expect([index.name, index.capabilities.lexical, index.capabilities.vector]).toEqual([
      "postgres-fts",
      true,
      false,
    ]);
  });
});
