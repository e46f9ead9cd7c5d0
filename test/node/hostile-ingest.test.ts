// Ingestion under hostile load: a large file is indexed in batches with the event loop free between
// them (counted in loop turns, not timed), and repeated POST /ingest requests for one domain join
// the run already waiting instead of queueing one full run each.
import { describe, expect, it } from "vitest";
import { chunkMarkdown } from "../../src/core/knowledge/chunk/chunk.ts";
import { encodeDelta } from "../../src/core/knowledge/index/segment.ts";
import { bytesToStream, readAll } from "../../src/core/util/streams.ts";
import {
  BlobSearchIndex,
  ClosedError,
  MemoryBlobStore,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { createInMemoryApp } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";

/** Markdown of about `bytes`, one short section per ~130 bytes (one chunk each). */
function markdown(bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  for (let s = 1; n < bytes; s++) {
    const part = `## Section ${s}\n\nParagraph ${s} talks about topic number ${s} and nothing else.\n\n`;
    parts.push(part);
    n += part.length;
  }
  return parts.join("");
}

/** Counts turns of the event loop while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const spin = (): void => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  try {
    await work();
  } finally {
    running = false;
  }
  return turns;
}

describe("ingestion under load", () => {
  it("chunking a large document gives the event loop turns (at most 4,096 blocks or 4 ms each)", async () => {
    const md = markdown(4 * 1024 * 1024); // ~55,000 sections: ~110,000 blocks
    let chunks = 0;
    const turns = await turnsDuring(async () => {
      chunks = (await chunkMarkdown(md)).chunks.length;
    });
    expect(chunks).toBeGreaterThan(50_000);
    expect(turns).toBeGreaterThanOrEqual(20);
  });

  it("reading a large body whole copies it in turns (1 MiB each)", async () => {
    const bytes = new Uint8Array(32 * 1024 * 1024).fill(7);
    let read: Uint8Array | undefined;
    const turns = await turnsDuring(async () => {
      read = await readAll(bytesToStream(bytes, 1 << 20));
    });
    expect(read?.length).toBe(bytes.length);
    expect(read?.[bytes.length - 1]).toBe(7);
    expect(turns).toBeGreaterThanOrEqual(28);
  });

  it("a large file's index segment is encoded in turns", async () => {
    const chunks = Array.from({ length: 100_000 }, (_, i) => ({
      id: `huge.md\u001f${i}\u001fv1`,
      chunkId: `d\u001fhuge.md\u001f${i}`,
      source: "huge.md",
      chunkIndex: i,
      text: `Paragraph ${i} talks about topic number ${i} and nothing else.`,
      headingPath: `Section ${i}`,
      headings: [`Section ${i}`],
      lineNumber: 1 + 4 * i,
      metadata: {},
    }));
    const file = {
      path: "huge.md",
      source: { checksum: "c", fingerprint: "f" },
      chunks,
      vectors: null,
    };
    let bytes = 0;
    const turns = await turnsDuring(async () => {
      bytes = (await encodeDelta("d", null, [file], [], false)).length;
    });
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it("committing a large file to a persisted index: it can be read back by another index", async () => {
    const store = new MemoryBlobStore();
    const kb = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
    const update = await kb.beginUpdate("d");
    await update.putFile("huge.md", markdown(4 * 1024 * 1024));
    await update.commit();
    const reopened = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
    const hits = await reopened.query("topic number 4321", { k: 1, filter: { domain_id: "d" } });
    expect(hits[0]?.text).toContain("Paragraph 4321 ");
  });

  it("a large file is indexed in batches: the event loop turns many times during the run", async () => {
    const { knowledge, ingestion } = createInMemoryApp({});
    await knowledge.createKb("big");
    await knowledge.putFile("big", "huge.md", markdown(4 * 1024 * 1024));
    let result: { chunksCreated: number } = { chunksCreated: 0 };
    const turns = await turnsDuring(async () => {
      result = await ingestion.ingest("big");
    });
    expect(result.chunksCreated).toBeGreaterThan(40_000);
    // ~50,000 chunks at 1,000 per turn: at least 40 turns of the loop while it ran.
    expect(turns).toBeGreaterThanOrEqual(40);
  });

  it("POST /ingest ×30 for one domain: one run goes, the others join the one waiting", async () => {
    const { app, knowledge } = createInMemoryApp({});
    await knowledge.createKb("kb");
    await knowledge.putFile("kb", "a.md", markdown(256 * 1024));
    const post = async (): Promise<{ job_id: string }> => {
      const response = await app.request("/kb/kb/ingest", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ force: true }),
      });
      expect(response.status).toBe(202);
      return (await response.json()) as { job_id: string };
    };
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await post()).job_id);
    const distinct = [...new Set(ids)];
    expect(distinct).toHaveLength(2);
    // The first runs; every later request got the waiting job's id.
    expect(ids.slice(1).every((id) => id === distinct[1])).toBe(true);
    const listed = async (): Promise<{ job_id: string; status: string }[]> =>
      (
        (await (await app.request("/kb/kb/ingest")).json()) as {
          items: { job_id: string; status: string }[];
        }
      ).items;
    await eventually(async () => (await listed()).every((j) => j.status === "completed"), 30_000);
    expect((await listed()).map((j) => j.job_id).sort()).toEqual([...distinct].sort());
  });

  it("an update aborted while a large file is being put (chunked or indexed in turns): the put fails, nothing of it stays", async () => {
    const kb = await RAGKnowledgeBase.fromConfig({});
    const keep = await kb.beginUpdate("d");
    await keep.putFile("small.md", "# Kept\n\nzebra crossing");
    await keep.commit();
    const update = await kb.beginUpdate("d");
    const put = update.putFile("huge.md", markdown(2 * 1024 * 1024));
    // Let the put get going (it gives turns back), then abort under it.
    await new Promise((r) => setTimeout(r, 20));
    await update.abort();
    await expect(put).rejects.toBeInstanceOf(ClosedError);
    const results = await kb.query("topic number section paragraph", { k: 5 });
    expect(results.every((r) => r.source === "small.md")).toBe(true);
    expect((await kb.query("zebra", { k: 5 }))[0]?.source).toBe("small.md");
  });
});
