/**
 * Hybrid search (BM25 + vectors, fused by RRF) through the full `RAGKnowledgeBase.query` path:
 * SciFact train (5,183 abstracts) uploaded as knowledge files, ingested with the deterministic
 * echo embeddings (384 dimensions: meaningless for quality, real for cost), then each judged
 * query asked with k = 10 (a pool of 50 per side) after a warm-up pass. Prints query p50/p95.
 *
 *   npx tsx bench/hybrid-search.bench.ts   (BENCH_PASSES=n, default 2; BENCH_MAX_DOCS=n;
 *   BENCH_VECTORS=store: the vectors in a MemoryVectorStore given to the index as `vectors`,
 *   instead of its own segments)
 * @module
 */
import {
  BlobSearchIndex,
  EchoEmbeddingProvider,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryVectorStore,
  type PutFileEntry,
  RAGKnowledgeBase,
} from "../src/index.ts";
import { loadScifact } from "./scifact.ts";

const PASSES = Number(process.env.BENCH_PASSES ?? 2);
const MAX_DOCS = Number(process.env.BENCH_MAX_DOCS ?? Number.POSITIVE_INFINITY);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const { corpus, queries } = loadScifact();
const docs = corpus.slice(0, MAX_DOCS);
const files: PutFileEntry[] = docs.map((d, i) => ({
  path: `docs/${String(i).padStart(7, "0")}.md`,
  content: `# ${d.title.trim() || d.id}\n\n${d.text}`,
}));
const source = new InMemoryKnowledgeBackend();
await source.createKb("beir");
for (let i = 0; i < files.length; i += 1000)
  await source.putFiles("beir", files.slice(i, i + 1000));

const embeddingProvider = new EchoEmbeddingProvider({ dimensions: 384 });
const external = process.env.BENCH_VECTORS === "store";
const index = new BlobSearchIndex(external ? { vectors: new MemoryVectorStore() } : {});
const kb = new RAGKnowledgeBase({ embeddingProvider, index });
let t = performance.now();
const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("beir");
console.log(
  `${docs.length} documents → ${result.chunksCreated} chunks (echo, 384 dims, vectors in ${external ? "a MemoryVectorStore given as vectors" : "the index's own segments"}) in ${((performance.now() - t) / 1000).toFixed(2)} s`,
);

for (const q of queries) await kb.query(q.text, { k: 10 }); // warm-up
const times: number[] = [];
for (let pass = 0; pass < PASSES; pass++)
  for (const q of queries) {
    t = performance.now();
    const hits = await kb.query(q.text, { k: 10 });
    times.push(performance.now() - t);
    if (hits.length === 0) throw new Error(`no hits for '${q.text}'`);
  }
console.log(
  `hybrid query (k 10, ${times.length} queries): p50 ${pct(times, 50).toFixed(3)} ms, p95 ${pct(times, 95).toFixed(3)} ms`,
);
