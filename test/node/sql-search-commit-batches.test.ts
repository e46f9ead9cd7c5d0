// A commit of SqlSearchIndex holds a bounded part of what it writes (issue 17: 100k chunks peaked
// at 2.3–2.5 GB because every statement's JSON rows were made before the transaction ran one):
// through a real SQLite database whose driver counts, each chunk insert carries at most
// COMMIT_ROWS rows, and the rows made but not yet written never exceed one statement's. The
// commit stays one transaction: a failure at its second chunk insert leaves the old state whole.
import { describe, expect, it } from "vitest";
import { type SqliteDatabaseLike, SqliteSearchIndex } from "../../src/adapters/sqlite/index.ts";
import { openSqliteDatabase } from "../../src/adapters/sqlite/sqlite-driver.ts";
import type { IndexChunk } from "../../src/knowledge.ts";

/** The rows a statement may carry (COMMIT_ROWS in sql-search-writes.ts). */
const COMMIT_ROWS = 1000;
const FILES = 50;
const PER_FILE = 100; // 5,000 chunks: five times COMMIT_ROWS, a few hundred kB of rows

/** Counts the chunk rows made by the commit: each reads the chunk's `text` once. */
class Meter {
  armed = false;
  made = 0;
  written = 0;
  maxRows = 0;
  maxPending = 0;
  chunkInserts = 0;
  failAt = Number.POSITIVE_INFINITY;
}

/** Chunks of a few words whose `text` getter counts the reads after `meter.armed`. */
function fileChunks(meter: Meter, path: string, word: string): IndexChunk[] {
  return Array.from({ length: PER_FILE }, (_, i) => {
    const text = `${word} chunk ${i} of ${path}`;
    return {
      chunkId: `kb\u001f${path}\u001f${i}`,
      source: path,
      chunkIndex: i,
      get text() {
        if (meter.armed) meter.made++;
        return text;
      },
      headingPath: "",
      headings: [],
      lineNumber: i + 1,
      metadata: {},
    };
  });
}

/** The real database, its chunk inserts counted (and failed at `meter.failAt`). */
function metered(db: SqliteDatabaseLike, meter: Meter): SqliteDatabaseLike {
  return {
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    prepare(sql) {
      const statement = db.prepare(sql);
      if (!/^INSERT INTO "\w+_chunks"/.test(sql)) return statement;
      return {
        all: (...params) => statement.all(...params),
        run(...params) {
          const rows = (JSON.parse(params.at(-1) as string) as unknown[]).length;
          if (++meter.chunkInserts === meter.failAt) throw new Error("disk full (the test's)");
          meter.maxRows = Math.max(meter.maxRows, rows);
          meter.maxPending = Math.max(meter.maxPending, meter.made - meter.written);
          meter.written += rows;
          return statement.run(...params);
        },
      };
    },
  };
}

async function setup(meter: Meter) {
  const db = await openSqliteDatabase(":memory:");
  const index = new SqliteSearchIndex({ database: metered(db, meter), table: "batches" });
  await index.initialize();
  const scope = { domainId: "kb", generation: "g" };
  const commit = async (word: string) => {
    const stage = await index.stage(scope);
    for (let f = 0; f < FILES; f++) {
      const path = `f${f}.md`;
      await stage.put(path, { checksum: word, fingerprint: "x" }, fileChunks(meter, path, word));
    }
    meter.armed = true;
    try {
      return await stage.commit();
    } finally {
      meter.armed = false;
    }
  };
  return { db, index, scope, commit };
}

describe("a commit of SqlSearchIndex, in batches", () => {
  it("writes at most COMMIT_ROWS rows per statement and makes them only as they are written", async () => {
    const meter = new Meter();
    const { db, index, scope, commit } = await setup(meter);
    try {
      const result = await commit("wombat");
      expect(result.chunksAdded).toBe(FILES * PER_FILE);
      expect(meter.written).toBe(FILES * PER_FILE);
      expect(meter.chunkInserts).toBeGreaterThanOrEqual((FILES * PER_FILE) / COMMIT_ROWS);
      expect(meter.maxRows).toBeLessThanOrEqual(COMMIT_ROWS);
      // One statement's rows, and the one row that did not fit in it.
      expect(meter.maxPending).toBeLessThanOrEqual(COMMIT_ROWS + 1);
      const sources = await index.sources(scope);
      expect(sources.size).toBe(FILES);
      const hits = await index.query([scope], { text: "wombat", k: 10 });
      expect(hits).toHaveLength(10);
    } finally {
      await index.close();
      db.close();
    }
  });

  it("stays one transaction: a failure in its second chunk insert leaves the old state", async () => {
    const meter = new Meter();
    const { db, index, scope, commit } = await setup(meter);
    try {
      const first = await commit("wombat");
      meter.failAt = meter.chunkInserts + 2;
      await expect(commit("penguin")).rejects.toThrow(/disk full/);
      expect(meter.chunkInserts).toBe(meter.failAt); // it failed where the test said
      const sources = await index.sources(scope);
      expect(sources.size).toBe(FILES);
      for (const s of sources.values())
        expect(s).toMatchObject({ checksum: "wombat", chunks: PER_FILE });
      expect(await index.query([scope], { text: "penguin", k: 10 })).toEqual([]);
      expect(await index.query([scope], { text: "wombat", k: 10 })).toHaveLength(10);
      // The next commit begins from the first one's version.
      const stage = await index.stage(scope, { exclusive: true });
      expect(stage.version).toBe(first.version);
      await stage.abort();
    } finally {
      await index.close();
      db.close();
    }
  });
});
