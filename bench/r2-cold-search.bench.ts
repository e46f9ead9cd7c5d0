/**
 * Search from a cold isolate on a persisted SciFact index in R2 (issue 11's goal). SciFact
 * (5,183 abstracts) is loaded and ingested by a Worker (`bench/r2-worker.ts`) under Miniflare,
 * with R2 persisted to a temporary folder; then a new Miniflare — a cold isolate, nothing in
 * memory — answers 200 queries: the time to its first answer (the index read from R2), and the
 * p50/p95 of the answers after it. Repeated BENCH_RUNS times (default 3), medians reported.
 *
 *   npx tsx bench/r2-cold-search.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { loadScifact } from "./scifact.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

const bundle = await build({
  entryPoints: ["bench/r2-worker.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  write: false,
  logLevel: "silent",
});
const script = bundle.outputFiles[0]?.text ?? "";
const persist = mkdtempSync(join(tmpdir(), "botknobs-bench-r2-"));
const start = (): Miniflare =>
  new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2026-04-01",
    r2Buckets: ["KNOWLEDGE"],
    r2Persist: persist,
  });
const url = "http://bench.test";

const { corpus, queries } = loadScifact();
const files = corpus.map((d) => ({ path: `${d.id}.md`, content: `# ${d.title}\n\n${d.text}` }));
const loader = start();
let t = performance.now();
for (let i = 0; i < files.length; i += 500)
  await (
    await loader.dispatchFetch(`${url}/load`, {
      method: "POST",
      body: JSON.stringify(files.slice(i, i + 500)),
    })
  ).json();
const loadMs = performance.now() - t;
t = performance.now();
const ingested = (await (
  await loader.dispatchFetch(`${url}/ingest`, { method: "POST" })
).json()) as {
  chunks: number;
  files: number;
};
const ingestMs = performance.now() - t;
await loader.dispose();

const texts = queries.slice(0, 201).map((q) => q.text);
const firsts: number[] = [];
const p50s: number[] = [];
const p95s: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const mf = start();
  await (await mf.dispatchFetch(`${url}/health`)).text(); // the isolate is up; nothing loaded yet
  const search = async (q: string): Promise<number> => {
    const t0 = performance.now();
    const hits = (await (
      await mf.dispatchFetch(`${url}/search?q=${encodeURIComponent(q)}`)
    ).json()) as string[];
    if (!Array.isArray(hits)) throw new Error("no answer");
    return performance.now() - t0;
  };
  firsts.push(await search(texts[0] as string));
  const after: number[] = [];
  for (const q of texts.slice(1)) after.push(await search(q));
  p50s.push(pct(after, 0.5));
  p95s.push(pct(after, 0.95));
  await mf.dispose();
}
rmSync(persist, { recursive: true, force: true });
console.log(
  `SciFact in R2 (Miniflare ${ingested.files} files, ${ingested.chunks} chunks; load ${loadMs.toFixed(0)} ms, ingest ${ingestMs.toFixed(0)} ms)`,
);
console.log(
  `cold isolate: first answer ${median(firsts).toFixed(0)} ms; then p50 ${median(p50s).toFixed(2)} ms, p95 ${median(p95s).toFixed(2)} ms (200 queries, median of ${RUNS} runs)`,
);
