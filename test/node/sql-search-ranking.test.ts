// The database indexes' default ranking is the built-in index's: over the same chunks, when the
// engine's candidates hold every match, SqliteSearchIndex finds the chunks BlobSearchIndex finds
// with the same BM25F scores, best first (chunk and file statistics kept in the database, issue 17).
import { describe, expect, it } from "vitest";
import { SqliteSearchIndex } from "../../src/adapters/sqlite/index.ts";
import { BlobSearchIndex, type IndexChunk, type SearchIndex } from "../../src/knowledge.ts";

const words = ["koala", "wombat", "penguin", "otter", "heron", "badger", "lynx", "moose"];

/** Files of 1–4 chunks of seeded word salad, some under a heading naming an animal. */
function files(): Record<string, IndexChunk[]> {
  let seed = 7;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const out: Record<string, IndexChunk[]> = {};
  for (let f = 0; f < 30; f++) {
    const path = `f${f}.md`;
    out[path] = Array.from({ length: 1 + next(4) }, (_, i) => ({
      chunkId: `kb\u001f${path}\u001f${i}`,
      source: path,
      chunkIndex: i,
      text: Array.from({ length: 3 + next(12) }, () => words[next(words.length)]).join(" "),
      headingPath: f % 3 === 0 ? `Notes > ${words[f % words.length]}` : "",
      headings: [],
      lineNumber: i + 1,
      metadata: {},
    }));
  }
  return out;
}

async function fill(index: SearchIndex): Promise<void> {
  await index.initialize();
  const stage = await index.stage({ domainId: "kb", generation: "g" });
  for (const [path, chunks] of Object.entries(files()))
    await stage.put(path, { checksum: path, fingerprint: "f" }, chunks);
  await stage.commit();
}

describe("SqliteSearchIndex's built-in ranking", () => {
  it("ranks and scores as BlobSearchIndex does over the same chunks", async () => {
    const builtin = new BlobSearchIndex();
    const sqlite = new SqliteSearchIndex({ path: ":memory:", candidates: 1000 });
    await fill(builtin);
    await fill(sqlite);
    const scope = [{ domainId: "kb", generation: "g" }];
    for (const text of ["koala", "wombat otter", "penguin penguin heron lynx", "moose badger"])
      for (const perSource of [false, true]) {
        // Every match (k over the chunk count): the same score for each chunk (for each file's
        // best, one per file), best first; equal scores may come in another order.
        const q = { text, k: 1000, perSource };
        const scored = async (index: SearchIndex) => {
          const hits = await index.query(scope, q);
          const scores = hits.map((h) => h.scores.lexical ?? 0);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          return new Map(
            hits.map((h) => [perSource ? h.chunk.source : h.chunk.chunkId, h.scores.lexical ?? 0]),
          );
        };
        const [want, got] = [await scored(builtin), await scored(sqlite)];
        expect([text, perSource, [...got.keys()].sort()]).toEqual([
          text,
          perSource,
          [...want.keys()].sort(),
        ]);
        for (const [id, score] of got) expect(score).toBeCloseTo(want.get(id) as number, 9);
      }
    await sqlite.close();
  });
});
