// The 3,157-file docs corpus ingested through the Worker (worker/index.ts under Miniflare, state
// persisted to a folder as `wrangler dev` keeps it): uploaded file by file over HTTP, then
// `POST /kb/docs/ingest` answers 202 at once and the IngestionRunner Durable Object ingests it in
// bounded batches, one per alarm. In the middle the runtime is killed (Miniflare disposed, its
// workerd gone) and started again over the same folder; the job goes on from its last recorded
// batch and completes once, each file accounted for once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_FILES } from "../../worker/ingestion-runner.ts";
import { docsCorpus, hasData, NO_DATA } from "../fixtures/data.ts";
import { bundleWorkers } from "./cf-bundle.ts";
import { migrate, persistedWorker } from "./cf-worker-options.ts";

let root = "";
let script = "";
let mf: Miniflare | undefined;
let call: (path: string, init?: RequestInit) => Promise<Response>;

/** Starts the Worker's runtime over the persisted folder. */
async function boot(): Promise<void> {
  mf = new Miniflare(persistedWorker(script, root));
  await mf.ready;
  const worker = await mf.getWorker();
  call = (path, init) =>
    worker.fetch(`http://worker.test${path}`, init as never) as unknown as Promise<Response>;
}

interface Job {
  job_id: string;
  status: string;
  progress: { done: number; total: number };
  batches: number;
  batches_retried: number;
  result: {
    files_processed: number;
    files_skipped: number;
    files_unchanged: number;
    chunks_created: number;
    errors: unknown[];
  } | null;
}

const job = async (id: string): Promise<Job> => {
  const res = await call(`/kb/docs/ingest/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Job;
};

async function until(id: string, done: (j: Job) => boolean, ms: number): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const j = await job(id);
    if (done(j)) return j;
    if (Date.now() > deadline) throw new Error(`job not there in ${ms} ms: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "botknobs-worker-ingest-"));
  script = (await bundleWorkers({ worker: "worker/index.ts" })).worker as string;
  await boot();
  await migrate(mf as Miniflare);
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasData())("the docs corpus ingested through the Worker, with a crash", () => {
  const files = hasData() ? docsCorpus() : [];

  it("uploads every file over HTTP", async () => {
    const created = await call("/kb", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ domain_id: "docs" }),
    });
    expect(created.status).toBe(201);
    await created.arrayBuffer();
    let next = 0;
    const upload = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++] as { path: string; bytes: Uint8Array };
        const path = file.path.split("/").map(encodeURIComponent).join("/");
        const res = await call(`/kb/docs/files/${path}`, {
          method: "PUT",
          body: file.bytes as BodyInit,
        });
        if (res.status !== 201) throw new Error(`${file.path}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 4 }, upload));
    const info = (await (await call("/kb/docs")).json()) as { file_count: number };
    expect(info.file_count).toBe(files.length);
  }, 600_000);

  it("answers 202 at once, survives a crash mid-way and completes once", async () => {
    const started = await call("/kb/docs/ingest", { method: "POST" });
    expect(started.status).toBe(202);
    const { job_id: id } = (await started.json()) as Job;
    expect(started.headers.get("location")).toBe(`/kb/docs/ingest/${id}`);
    // A second POST while it runs is the same job, not a second ingestion.
    const again = await call("/kb/docs/ingest", { method: "POST" });
    expect(((await again.json()) as Job).job_id).toBe(id);

    const before = await until(id, (j) => j.progress.done >= files.length / 3, 600_000);
    expect(before.status).toBe("running");
    // The crash: the runtime is gone mid-batch; a new one starts over the same state.
    await mf?.dispose();
    mf = undefined;
    await boot();
    const resumed = await job(id);
    expect(resumed.progress.done).toBeGreaterThanOrEqual(before.progress.done);

    const end = await until(id, (j) => j.status !== "running", 900_000);
    expect(end.status).toBe("completed");
    expect(end.progress).toEqual({ done: files.length, total: files.length });
    const r = end.result as NonNullable<Job["result"]>;
    expect(r.errors).toEqual([]);
    // Each file accounted for once: chunked (or empty), or found already indexed because its
    // batch was committed just before the crash and not yet recorded (at most one batch).
    expect(r.files_processed + r.files_skipped + r.files_unchanged).toBe(files.length);
    expect(r.files_unchanged).toBeLessThanOrEqual(BATCH_FILES);
    // At most the batch the crash interrupted was begun again; no committed batch ran twice.
    expect(end.batches_retried).toBeLessThanOrEqual(1);
    expect(r.chunks_created).toBeGreaterThan(50_000);
    console.log(
      `docs corpus through the Worker: ${end.batches} batches (${end.batches_retried} retried), ` +
        `crash at ${before.progress.done}/${files.length}, ${r.files_processed} processed, ` +
        `${r.files_skipped} skipped, ${r.files_unchanged} unchanged, ${r.chunks_created} chunks`,
    );

    // Completed once: one job, the knowledge base ready, and it answers.
    const list = (await (await call("/kb/docs/ingest")).json()) as { items: Job[] };
    expect(list.items.map((j) => j.job_id)).toEqual([id]);
    const info = (await (await call("/kb/docs")).json()) as { ingestion_status: string };
    expect(info.ingestion_status).toBe("ready");
    const q = encodeURIComponent("Get-ChildItem gets the items in one or more specified locations");
    const search = (await (await call(`/kb/docs/search?q=${q}&k=5`)).json()) as {
      results: { source: string }[];
    };
    expect(search.results.some((x) => /Get-ChildItem\.md$/.test(x.source))).toBe(true);
  }, 1_800_000);
});

if (!hasData()) console.log(NO_DATA);
