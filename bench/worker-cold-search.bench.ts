/**
 * Search from a cold isolate of the Worker on a persisted SciFact index: the Worker
 * (worker/index.ts) under Miniflare with its state in a folder (D1, R2, Durable Objects, as
 * `wrangler dev --persist-to` keeps it). SciFact's 5,183 abstracts are uploaded as 52 markdown
 * files (100 abstracts each, one `##` section per abstract) and ingested through the Worker (the
 * IngestionRunner); then the runtime is stopped and started again over the same folder, and the
 * new isolate, with nothing in memory, answers: the time to its first answer (the index read from
 * R2), then p50/p95 of the next queries (SciFact train claims, sequential).
 *
 * Run: `npx tsx bench/worker-cold-search.bench.ts` (data: ../shared/data/scifact).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../test/node/cf-bundle.ts";
import { migrate, persistedWorker } from "../test/node/cf-worker-options.ts";
import { loadScifact } from "./scifact.ts";

const PER_FILE = 100;
const QUERIES = 300;

const root = await mkdtemp(join(tmpdir(), "botknobs-cold-search-"));
const script = (await bundleWorkers({ worker: "worker/index.ts" })).worker as string;
const boot = async (): Promise<Miniflare> => {
  const mf = new Miniflare(persistedWorker(script, root));
  await mf.ready;
  return mf;
};
const fetcher = (mf: Miniflare) => async (path: string, init?: RequestInit) => {
  const res = (await mf.dispatchFetch(
    `http://worker.test${path}`,
    init as never,
  )) as unknown as Response;
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};

const { corpus, queries } = loadScifact();
let mf = await boot();
await migrate(mf);
let call = fetcher(mf);
await call("/kb", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ domain_id: "scifact" }),
});
for (let i = 0; i < corpus.length; i += PER_FILE) {
  const docs = corpus.slice(i, i + PER_FILE);
  const body = docs.map((d) => `## ${d.title || d.id}\n\n${d.text}\n`).join("\n");
  await call(`/kb/scifact/files/part-${String(i / PER_FILE).padStart(3, "0")}.md`, {
    method: "PUT",
    body,
  });
}
const t0 = performance.now();
const job = (await call("/kb/scifact/ingest", { method: "POST" })) as { job_id: string };
for (;;) {
  const j = (await call(`/kb/scifact/ingest/${job.job_id}`)) as {
    status: string;
    batches: number;
    result: { chunks_created: number } | null;
  };
  if (j.status === "completed") {
    console.log(
      `ingested ${corpus.length} abstracts in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
        `${j.batches} batches, ${j.result?.chunks_created} chunks`,
    );
    break;
  }
  if (j.status !== "running") throw new Error(JSON.stringify(j));
  await new Promise((r) => setTimeout(r, 200));
}
await mf.dispose();

// The cold isolate: a new runtime over the same folder.
const bootStart = performance.now();
mf = await boot();
const bootMs = performance.now() - bootStart;
call = fetcher(mf);
const q = (text: string) => `/kb/scifact/search?q=${encodeURIComponent(text)}&k=10`;
const first = performance.now();
const answer = (await call(q((queries[0] as { text: string }).text))) as { results: unknown[] };
const firstMs = performance.now() - first;
if (answer.results.length === 0) throw new Error("the cold isolate found nothing");
const times: number[] = [];
for (const query of queries.slice(1, QUERIES + 1)) {
  const s = performance.now();
  await call(q(query.text));
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
  (times[Math.min(times.length - 1, Math.floor(p * times.length))] as number).toFixed(2);
console.log(
  `runtime start ${bootMs.toFixed(0)} ms; first answer from the cold isolate ${firstMs.toFixed(1)} ms; ` +
    `next ${times.length} queries p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms (load average ${loadavg()[0]?.toFixed(2)})`,
);
await mf.dispose();
await rm(root, { recursive: true, force: true });
