/**
 * `PgvectorVectorStore` against a server with pgvector (`url`): the vector-store suite (through
 * `conformance()`, reopened as another process would), its own cases (names, dimensions, batches,
 * typed filters, k past `hnsw.ef_search`, a selective filter), and hybrid search — the
 * search-index suite over `PostgresSearchIndex` with its vectors in pgvector, and
 * `vector_store: { backend: "pgvector" }` through `RAGKnowledgeBase.fromConfig`. Each store works
 * in a schema of its own (`bk_<random>`), dropped when the case ends.
 */
import { nodeSearchIndexes } from "../../src/adapters/node/index.ts";
import {
  createPostgresClient,
  PgvectorVectorStore,
  type PgvectorVectorStoreOptions,
  PostgresSearchIndex,
} from "../../src/adapters/postgres/index.ts";
import type { PostgresSqlLike } from "../../src/adapters/postgres/types.ts";
import { RAGKnowledgeBase, type SearchIndex, ValidationError } from "../../src/index.ts";
import type { VectorStore } from "../../src/knowledge.ts";
import { conformance, expectRejects, type TestHarness } from "../../src/testing/index.ts";
import { randomName } from "../fixtures/postgres.ts";

/** Runs `work` with a one-connection client of `url`. */
async function on<T>(url: string, work: (sql: PostgresSqlLike) => PromiseLike<T>): Promise<T> {
  const sql = await createPostgresClient({ connection_string: url }, { max: 1 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const dropSchema = (url: string, table: string): Promise<unknown> =>
  on(url, (sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${table.split(".")[0]}" CASCADE`));

/** A unit-ish random vector from a seed. */
function vector(seed: number, dims = 16): Float32Array {
  const v = new Float32Array(dims);
  let x = seed * 7919 + 13;
  for (let i = 0; i < dims; i++) {
    x = (x * 48271) % 2147483647;
    v[i] = x / 2147483647 - 0.5;
  }
  return v;
}

/** Registers every pgvector case against `url`, titled with `where`. */
export function runPgvectorSuites(h: TestHarness, where: string, url: string): void {
  const tables = new WeakMap<object, string>();
  const store = (options: PgvectorVectorStoreOptions = {}): PgvectorVectorStore => {
    const table = options.table ?? `${randomName()}.vectors`;
    const made = new PgvectorVectorStore({ connection_string: url, ...options, table });
    tables.set(made, table);
    return made;
  };
  const destroy = async (s: object): Promise<void> => {
    await (s as VectorStore | SearchIndex).close();
    await dropSchema(url, tables.get(s) as string);
  };

  conformance(h, {
    name: `pgvector (${where})`,
    vectorStore: {
      capabilities: { filters: ["eq", "in"], persistent: true },
      create: () => store(),
      reopen: (s: VectorStore) => store({ table: tables.get(s) as string }),
      destroy,
    },
  });

  const { describe, it, expect } = h;
  describe(`PgvectorVectorStore on ${where}`, () => {
    it("a table name with quotes, spaces, dots or 200 characters is a ValidationError before any SQL", () => {
      for (const table of ['x"; DROP TABLE y; --', "a b", "a.b.c", 'a."b"', "x".repeat(200), ""]) {
        let error: unknown;
        try {
          new PgvectorVectorStore({ connection_string: url, table });
        } catch (e) {
          error = e;
        }
        expect(error instanceof ValidationError).toBe(true);
      }
    });

    it("the table is vector(n) with an HNSW cosine index; a store of another length is refused", async () => {
      const s = store({ dimensions: 8 });
      try {
        await s.initialize();
        const table = tables.get(s) as string;
        const [schema, name] = table.split(".");
        const rows = await on(url, (sql) =>
          sql.unsafe(
            `SELECT format_type(a.atttypid, a.atttypmod) AS type,
              (SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexdef LIKE '%hnsw%') AS idx
             FROM pg_attribute a WHERE a.attrelid = to_regclass($3) AND a.attname = 'embedding'`,
            [schema, name, `"${schema}"."${name}"`],
          ),
        );
        const row = rows[0] as { type: string; idx: string };
        expect(row.type).toBe("vector(8)");
        expect(row.idx).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
        const other = new PgvectorVectorStore({ connection_string: url, table, dimensions: 16 });
        await expectRejects(
          h,
          other.initialize(),
          ValidationError,
          "holds vectors of 8 dimensions, not 16",
        );
        await other.close();
        const learns = new PgvectorVectorStore({ connection_string: url, table });
        await learns.initialize();
        expect(learns.dimensions).toBe(8);
        await learns.close();
      } finally {
        await destroy(s);
      }
    });

    it("upserts go in batches in one transaction: the last of an id wins; a bad vector in the last batch writes nothing", async () => {
      const s = store({ batchSize: 100 });
      try {
        const records = Array.from({ length: 1234 }, (_, i) => ({
          id: `b${i}`,
          vector: vector(i),
          metadata: { n: i },
        }));
        await s.upsert([...records, { id: "b0", vector: vector(5000), metadata: { n: -1 } }]);
        expect(await s.count()).toBe(1234);
        const [best] = await s.query(vector(5000), { k: 1, filter: { n: -1 } });
        expect(best?.id).toBe("b0");
        const bad = Array.from({ length: 350 }, (_, i) => ({ id: `c${i}`, vector: vector(i) }));
        bad[349] = { id: "c349", vector: new Float32Array(16).fill(Number.NaN) };
        await expectRejects(h, s.upsert(bad), ValidationError, "finite");
        expect(await s.count()).toBe(1234);
      } finally {
        await destroy(s);
      }
    });

    it("filters compare type for type; hostile field names are parameters", async () => {
      const s = store();
      try {
        await s.upsert([
          { id: "num", vector: vector(1), metadata: { v: 1, "a'b\"; DROP": "x" } },
          { id: "str", vector: vector(2), metadata: { v: "1" } },
          { id: "bool", vector: vector(3), metadata: { v: true } },
          { id: "nul", vector: vector(4), metadata: { v: null } },
          { id: "none", vector: vector(5) },
        ]);
        const ids = async (filter: Record<string, unknown>): Promise<string[]> =>
          (await s.query(vector(1), { k: 10, filter: filter as never })).map((x) => x.id).sort();
        expect(await ids({ v: 1 })).toEqual(["num"]);
        expect(await ids({ v: "1" })).toEqual(["str"]);
        expect(await ids({ v: { $in: [true, null] } })).toEqual(["bool", "nul"]);
        expect(await ids({ v: { $in: [] } })).toEqual([]);
        expect(await ids({ "a'b\"; DROP": "x" })).toEqual(["num"]);
        expect(await s.count()).toBe(5);
      } finally {
        await destroy(s);
      }
    });

    it("k past hnsw.ef_search's default and past its maximum answers exactly k; a selective filter still finds all its rows", async () => {
      const s = store();
      try {
        const records = Array.from({ length: 1500 }, (_, i) => ({
          id: `k${i}`,
          vector: vector(i),
          metadata: { lang: i % 300 === 7 ? "de" : "en" },
        }));
        await s.upsert(records);
        expect(await s.query(vector(3), { k: 60 })).toHaveLength(60);
        const all = await s.query(vector(3), { k: 1400 });
        expect(all).toHaveLength(1400);
        expect(all[0]?.id).toBe("k3");
        for (let i = 1; i < all.length; i++)
          expect(all[i - 1]?.score as number).toBeGreaterThanOrEqual(all[i]?.score as number);
        // 5 of 1,500 rows: a plain HNSW scan (40 candidates, then the filter) would miss most.
        const de = await s.query(vector(3), { k: 10, filter: { lang: "de" } });
        expect(de.map((x) => x.id).sort()).toEqual(["k1207", "k307", "k607", "k7", "k907"]);
      } finally {
        await destroy(s);
      }
    });

    it("a client given as sql is left open by close(); the store works again after initialize()", async () => {
      const sql = await createPostgresClient({ connection_string: url }, { max: 2 });
      const s = store({ sql, dimensions: 16 });
      try {
        await s.upsert([{ id: "a", vector: vector(1) }]);
        await s.close();
        expect((await sql.unsafe("SELECT 1 AS one")).length).toBe(1);
        await s.initialize();
        expect(await s.count()).toBe(1);
      } finally {
        await destroy(s);
        await sql.end({ timeout: 5 });
      }
    });
  });

  // Hybrid search: PostgreSQL full text and pgvector on one server, through the SearchIndex port.
  const indexes = new WeakMap<object, string>();
  const hybrid = (schema: string): PostgresSearchIndex => {
    const vectors = new PgvectorVectorStore({
      connection_string: url,
      table: `${schema}.kb_vectors`,
    });
    const index = new PostgresSearchIndex({
      connection_string: url,
      table: `${schema}.kb`,
      vectors,
      closeVectors: true,
    });
    indexes.set(index, schema);
    tables.set(index, `${schema}.kb`);
    return index;
  };
  conformance(h, {
    name: `PostgreSQL full text + pgvector, hybrid (${where})`,
    searchIndex: {
      capabilities: { vector: true, persistent: true },
      create: () => hybrid(randomName()),
      reopen: (index: SearchIndex) => hybrid(indexes.get(index) as string),
      destroy,
    },
  });

  describe(`vector_store: { backend: "pgvector" } on ${where}`, () => {
    it("RAGKnowledgeBase.fromConfig with nodeSearchIndexes keeps chunks in full text and vectors in pgvector", async () => {
      const schema = randomName();
      const kb = await RAGKnowledgeBase.fromConfig(
        {
          vector_store: { backend: "pgvector", connection_string: url, table: `${schema}.kb` },
          embedding_provider: "echo",
          embedding_dimensions: 32,
        },
        { indexes: nodeSearchIndexes },
      );
      try {
        expect([kb.index.capabilities.lexical, kb.index.capabilities.vector]).toEqual([true, true]);
        await kb.index.initialize();
        await kb.loadMarkdownText(
          "# Passwords\n\nReset your password in settings.\n\n# Billing\n\nInvoices arrive monthly.",
          "faq.md",
          { domainId: "support" },
        );
        const hits = await kb.query("reset password", { k: 2, filter: { domain_id: "support" } });
        expect(hits[0]?.headingPath).toBe("Passwords");
        const scores = hits[0]?.metadata.scores as { vector: number | null };
        expect(typeof scores.vector).toBe("number");
        const [row] = await on(url, (sql) =>
          sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}"."kb_vectors"`),
        );
        expect((row as { n: number }).n).toBe(2);
      } finally {
        await kb.index.close();
        await dropSchema(url, `${schema}.kb`);
      }
    });
  });
}
