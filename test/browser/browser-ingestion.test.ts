// Inside Chromium: ingestion in a real Web Worker (workers/ingestion-worker.ts) scheduled from
// the page by WorkerIngestionScheduler, with progress after each file; the index it persists in
// IndexedDB is searched by the page afterwards (the next visit) without ingesting again.
import { afterEach, describe, expect, it } from "vitest";
import {
  deleteBrowserDatabase,
  IndexedDBBlobStore,
  WorkerIngestionScheduler,
} from "../../src/adapters/browser/index.ts";
import type { IngestionJobDict } from "../../src/core/knowledge/ingest/scheduler.ts";
import { BlobKnowledgeBackend, BlobSearchIndex, RAGKnowledgeBase } from "../../src/index.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

function setup() {
  const dbName = `ingest-${crypto.randomUUID()}`;
  const worker = new Worker(new URL("./workers/ingestion-worker.ts", import.meta.url), {
    type: "module",
    name: dbName,
  });
  const scheduler = new WorkerIngestionScheduler(worker);
  const store = new IndexedDBBlobStore({ dbName });
  const knowledge = new BlobKnowledgeBackend({ store });
  cleanups.push(async () => {
    scheduler.close();
    worker.terminate();
    await knowledge.close();
    await store.close();
    await deleteBrowserDatabase(dbName);
  });
  return { dbName, scheduler, knowledge, store };
}

const notes = (n: number) =>
  Array.from({ length: n }, (_, i) => [
    `note-${i}.md`,
    `# Note ${i}\n\nThe keeper of lighthouse ${i} logs the ${i % 2 ? "northern" : "southern"} storms.\n`,
  ]);

describe("ingestion in a Web Worker (Chromium)", () => {
  it("runs in the worker with progress after each file; the page then searches the persisted index", async () => {
    const { scheduler, knowledge, store } = setup();
    await knowledge.createKb("docs");
    for (const [path, text] of notes(6))
      await knowledge.putFile("docs", path as string, text as string);
    const seen: IngestionJobDict[] = [];
    scheduler.onProgress((job) => seen.push(job));

    const { job } = await scheduler.schedule("docs");
    const done = await scheduler.done(job.job_id);
    expect(done.status).toBe("completed");
    expect(done.result).toMatchObject({ files_processed: 6 });
    const steps = seen.filter((j) => j.status === "running").map((j) => j.progress.done);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.at(-1)?.progress.total).toBe(6);

    // The next visit: a new index over the same database answers without ingesting (it finds
    // each knowledge base's index through the knowledge backend, as the worker's did).
    const reopened = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
    reopened.useKnowledge(knowledge);
    const hits = await reopened.query("lighthouse 3 storms", {
      k: 1,
      filter: { domain_id: "docs" },
    });
    expect(hits[0]?.text).toContain("lighthouse 3");
  });

  it("a second run finds every file unchanged (nothing re-chunked); a changed file alone is processed", async () => {
    const { scheduler, knowledge } = setup();
    await knowledge.createKb("docs");
    for (const [path, text] of notes(4))
      await knowledge.putFile("docs", path as string, text as string);
    await scheduler.done((await scheduler.schedule("docs")).job.job_id);

    const again = await scheduler.done((await scheduler.schedule("docs")).job.job_id);
    expect(again.result).toMatchObject({ files_processed: 0, chunks_created: 0 });

    await knowledge.putFile("docs", "note-2.md", "# Note 2\n\nNow about harbours.\n");
    const changed = await scheduler.done((await scheduler.schedule("docs")).job.job_id);
    expect(changed.result).toMatchObject({ files_processed: 1 });
  });

  it("scheduling while a run of the domain is on answers that job; a missing knowledge base fails the job", async () => {
    const { scheduler, knowledge } = setup();
    await knowledge.createKb("docs");
    for (const [path, text] of notes(3))
      await knowledge.putFile("docs", path as string, text as string);
    const first = await scheduler.schedule("docs");
    const second = await scheduler.schedule("docs");
    expect(second.job.job_id).toBe(first.job.job_id);
    await scheduler.done(first.job.job_id);

    const missing = await scheduler.done((await scheduler.schedule("nowhere")).job.job_id);
    expect(missing.status).toBe("failed");
    expect(missing.error?.message).toMatch(/nowhere/);
  });
});
