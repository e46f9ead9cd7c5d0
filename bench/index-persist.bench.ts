/**
 * The persisted search index.
 *
 * 1. SciFact (5,183 abstracts → 20,462 chunks, through the real ingestion path) into a
 *    `BlobSearchIndex` over the file system: what it stores, and a *fresh process* that opens it
 *    and answers (load and first answer, then p50), beside fresh processes that build the same
 *    index instead — from the corpus (chunk + index) and from ready-made chunks (BM25 alone).
 *    Goal: loading ≥ 10× faster than building, at ≤ 0.5× the bytes of MiniSearch's serialised
 *    index (measured here over the same chunks: index only, and with the text stored as ours is).
 * 2. The docs corpus (3,157 files): after a full ingestion one file changes and is ingested again;
 *    the bytes that commit writes against the bytes of the full index. Goal: ≤ 5 %.
 *
 *   npx tsx bench/index-persist.bench.ts            (BENCH_RUNS=3)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import MiniSearch from "minisearch";
import { FileKnowledgeBackend, FsBlobStore } from "../src/adapters/node/index.ts";
import { chunkFile } from "../src/core/knowledge/chunk/chunk-file.ts";
import {
  BlobSearchIndex,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  RAGKnowledgeBase,
} from "../src/index.ts";
import { docsCorpus } from "../test/fixtures/data.ts";
import { counting, zero } from "./counting-store.ts";
import { loadScifact } from "./scifact.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
const tmp = mkdtempSync(join(tmpdir(), "botknobs-bench-index-"));

interface Child {
  firstMs: number;
  p50: number;
  p95: number;
}
function child(mode: string, input: string, queries: string): Child {
  const runs = Array.from(
    { length: RUNS },
    () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ["--import", "tsx", "bench/index-child.ts", mode, input, queries],
          {
            encoding: "utf8",
          },
        ),
      ) as Child,
  );
  return {
    firstMs: median(runs.map((r) => r.firstMs)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
  };
}

// ── 1. SciFact ─────────────────────────────────────────────────────────────────────────────
const { corpus, queries } = loadScifact();
const files = corpus.map((d) => ({ path: `${d.id}.md`, content: `# ${d.title}\n\n${d.text}` }));
const queryFile = join(tmp, "queries.json");
writeFileSync(queryFile, JSON.stringify(queries.slice(0, 300).map((q) => q.text)));
const docsFile = join(tmp, "docs.json");
writeFileSync(docsFile, JSON.stringify(files));
const chunks: [string, string, string, string][] = [];
const mini: { id: number; heading: string; text: string }[] = [];
for (const f of files) {
  for (const [i, c] of ((await chunkFile(f.path, f.content))?.chunks ?? []).entries()) {
    chunks.push([`${f.path}#${i}`, f.path, c.headingPath, c.text]);
    mini.push({ id: mini.length, heading: c.headingPath, text: c.text });
  }
}
const chunksFile = join(tmp, "chunks.json");
writeFileSync(chunksFile, JSON.stringify(chunks));

const rows: string[] = [];
for (const compress of [false, true]) {
  const root = join(tmp, `scifact-${compress}`);
  const source = new FileKnowledgeBackend({ path: root });
  await source.createKb("scifact");
  for (let i = 0; i < files.length; i += 1000)
    await source.putFiles("scifact", files.slice(i, i + 1000));
  const { store, counts } = counting(new FsBlobStore({ root }));
  const rag = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store, compress }) });
  const t = performance.now();
  const result = await new KnowledgeIngestionManager({ source, destination: rag }).ingest(
    "scifact",
  );
  const ingestMs = performance.now() - t;
  const load = child("load", root, queryFile);
  rows.push(
    `| BlobSearchIndex${compress ? ", gzip" : ""} | ${mb(counts.bytesPut)} | ${load.firstMs.toFixed(0)} | ${load.p50.toFixed(2)} | ${load.p95.toFixed(2)} | ingest ${ingestMs.toFixed(0)} ms, ${result.chunksCreated} chunks |`,
  );
}
const build = child("build", docsFile, queryFile);
const bm25 = child("bm25", chunksFile, queryFile);
rows.push(
  `| build instead: chunk + index the corpus | — | ${build.firstMs.toFixed(0)} | ${build.p50.toFixed(2)} | ${build.p95.toFixed(2)} | |`,
  `| build instead: BM25 over ready-made chunks | — | ${bm25.firstMs.toFixed(0)} | ${bm25.p50.toFixed(2)} | ${bm25.p95.toFixed(2)} | no texts to return |`,
);
const bare = new MiniSearch({ fields: ["heading", "text"] });
bare.addAll(mini);
const stored = new MiniSearch({ fields: ["heading", "text"], storeFields: ["heading", "text"] });
stored.addAll(mini);
const bareJson = JSON.stringify(bare);
const storedJson = JSON.stringify(stored);
console.log(
  `SciFact, fresh processes (median of ${RUNS}); first = start to first answer, load included\n`,
);
console.log("| | stored | first ms | p50 ms | p95 ms | |");
console.log("|---|---:|---:|---:|---:|---|");
for (const r of rows) console.log(r);
console.log(
  `\nMiniSearch 7 over the same chunks, JSON.stringify: index only ${mb(bareJson.length)} (gzip ${mb(gzipSync(bareJson).length)}); with heading and text stored ${mb(storedJson.length)} (gzip ${mb(gzipSync(storedJson).length)})`,
);

// ── 2. The docs corpus: one changed file ────────────────────────────────────────────────────
const docs = docsCorpus();
const source = new InMemoryKnowledgeBackend();
await source.createKb("docs");
for (let i = 0; i < docs.length; i += 500)
  await source.putFiles(
    "docs",
    docs.slice(i, i + 500).map((f) => ({ path: f.path, content: f.bytes })),
  );
const { store, counts } = counting(new MemoryBlobStore());
const rag = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
const ingestion = new KnowledgeIngestionManager({ source, destination: rag });
await ingestion.ingest("docs");
const full = counts.bytesPut;
const changes: number[] = [];
for (let run = 0; run < 5; run++) {
  Object.assign(counts, zero());
  await source.putFile(
    "docs",
    docs[run * 101]?.path as string,
    `# Changed ${run}\n\nA new paragraph.`,
  );
  const r = await ingestion.ingest("docs");
  if (r.filesProcessed !== 1) throw new Error("more than one file re-processed");
  changes.push(counts.bytesPut);
}
console.log(
  `\ndocs corpus: full index ${mb(full)}; one changed file writes ${changes.map((c) => `${(c / 1024).toFixed(1)} KiB`).join(", ")} — median ${((median(changes) / full) * 100).toFixed(3)} % of the full index (goal ≤ 5 %)`,
);
rmSync(tmp, { recursive: true, force: true });
