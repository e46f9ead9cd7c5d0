/**
 * The persisted search index.
 *
 * 1. SciFact (5,183 abstracts, through the real ingestion path) into a `BlobSearchIndex` over the
 *    file system: the build, the bytes stored, and a *new process* that opens it and answers —
 *    load and first query, then p50 — against building it again. Goal: loading ≥ 10× faster than
 *    building, at ≤ 0.5× the bytes of MiniSearch's serialised index (measured here too).
 * 2. The docs corpus (3,157 files): after a full ingestion, one file changes and is ingested
 *    again; the bytes that commit writes against the bytes of the full index. Goal: ≤ 5 %.
 *
 *   npx tsx bench/index-persist.bench.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import MiniSearch from "minisearch";
import { FileKnowledgeBackend, FsBlobStore } from "../src/adapters/node/index.ts";
import {
  BlobSearchIndex,
  chunkFile,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  RAGKnowledgeBase,
} from "../src/index.ts";
import { docsCorpus } from "../test/fixtures/data.ts";
import { counting, zero } from "./counting-store.ts";
import { loadScifact } from "./scifact.ts";

const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

// ── 1. SciFact: build, store, load in a new process ─────────────────────────────────────────
const { corpus, queries } = loadScifact();
const files = corpus.map((d) => ({ path: `${d.id}.md`, content: `# ${d.title}\n\n${d.text}` }));
const queryFile = join(tmpdir(), "botknobs-bench-queries.json");
writeFileSync(queryFile, JSON.stringify(queries.slice(0, 300).map((q) => q.text)));

const results: Record<string, unknown>[] = [];
for (const compress of [true, false]) {
  const root = mkdtempSync(join(tmpdir(), "botknobs-bench-index-"));
  try {
    const source = new FileKnowledgeBackend({ path: root });
    await source.createKb("scifact");
    for (let i = 0; i < files.length; i += 1000)
      await source.putFiles("scifact", files.slice(i, i + 1000));
    const { store, counts } = counting(new FsBlobStore({ root }));
    const rag = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store, compress }) });
    const ingestion = new KnowledgeIngestionManager({ source, destination: rag });
    let t = performance.now();
    const result = await ingestion.ingest("scifact");
    const buildMs = performance.now() - t;
    const stored = counts.bytesPut;
    // The build again, index only (no chunking): chunks straight into a fresh index.
    const again = new RAGKnowledgeBase();
    t = performance.now();
    const update = await again.beginUpdate("scifact");
    for (const f of files) await update.putFile(f.path, f.content);
    await update.commit();
    const rebuildMs = performance.now() - t;
    const loads = [0, 1, 2].map(
      () =>
        JSON.parse(
          execFileSync(
            process.execPath,
            ["--import", "tsx", "bench/index-load.ts", root, "scifact", queryFile],
            {
              encoding: "utf8",
            },
          ),
        ) as { firstMs: number; firstHits: number; p50: number; p95: number },
    );
    results.push({
      compress,
      chunks: result.chunksCreated,
      buildMs,
      rebuildMs,
      stored,
      firstMs: median(loads.map((l) => l.firstMs)),
      p50: median(loads.map((l) => l.p50)),
      p95: median(loads.map((l) => l.p95)),
    });
    if (compress) {
      // MiniSearch over the same chunks, serialised: index only, and with the text stored too
      // (what it needs to hand back results as this index does).
      const chunks: { id: number; heading: string; text: string }[] = [];
      let n = 0;
      for (const f of files) {
        const chunked = await chunkFile(f.path, f.content);
        for (const c of chunked?.chunks ?? [])
          chunks.push({ id: n++, heading: c.headingPath, text: c.text });
      }
      const bare = new MiniSearch({ fields: ["heading", "text"] });
      bare.addAll(chunks);
      const stored2 = new MiniSearch({
        fields: ["heading", "text"],
        storeFields: ["heading", "text"],
      });
      stored2.addAll(chunks);
      const bareJson = JSON.stringify(bare);
      const storedJson = JSON.stringify(stored2);
      results.push({
        minisearch: true,
        bare: bareJson.length,
        bareGz: gzipSync(bareJson).length,
        stored: storedJson.length,
        storedGz: gzipSync(storedJson).length,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
console.log(JSON.stringify(results, null, 1));

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
  `docs corpus: full index ${kb(full)}; one changed file writes ${changes.map(kb).join(", ")} — median ${((median(changes) / full) * 100).toFixed(2)}% of the full index (goal ≤ 5%)`,
);
