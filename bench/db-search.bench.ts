/**
 * Search in the database beside the built-in index (issue 17): SciFact train through the real
 * ingestion path into each engine — the built-in `BlobSearchIndex` (memory), `SqliteSearchIndex`
 * (FTS5) and `PostgresSearchIndex` (tsvector + GIN), each ranked by the built-in BM25F scorer
 * over the engine's candidates (what ships) and by the engine's own rank (`bm25()`,
 * `ts_rank_cd`) — at SciFact's own size and with distractor abstracts up to larger sizes. Each
 * engine runs in a process of its own (bench/db-search-child.ts): build seconds, query p50/p95
 * over every judged query (`k: 100, perSource: true`, after 50 warm-up queries), nDCG@10,
 * Recall@100, and the Node process's RSS (peak); PostgreSQL's own memory is the server's, not
 * counted. Ratios are against the built-in index of the same size, in the same run.
 *
 *   npx tsx bench/db-search.bench.ts [sizes…]      (default: 0 100000; 0 = SciFact alone)
 *   BENCH_ENGINES=builtin,sqlite npx tsx bench/db-search.bench.ts 100000
 * @module
 */
import { execFileSync } from "node:child_process";

const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["0", "100000"];
const engines = (
  process.env.BENCH_ENGINES ?? "builtin,sqlite,sqlite-engine,postgres,postgres-engine"
).split(",");
const queries = process.env.BENCH_QUERIES ?? "100000";

interface Run {
  engine: string;
  chunks: number;
  buildSeconds: number;
  p50: number;
  p95: number;
  p99: number;
  commitSeconds: number;
  dbBytes: number;
  ndcg10: number;
  recall100: number;
  queries: number;
  rss: number;
  peak: number;
}

const mb = (n: number): string => (n / 1e6).toFixed(0);
for (const size of sizes) {
  const runs: Run[] = [];
  for (const engine of engines) {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "bench/db-search-child.ts", engine, size, queries],
      { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "inherit"] },
    );
    const run = JSON.parse(out.trim().split("\n").at(-1) as string) as Run;
    runs.push(run);
    console.error(`${size} ${engine}: ${JSON.stringify(run)}`);
  }
  const base = runs.find((r) => r.engine === "builtin") ?? (runs[0] as Run);
  console.log(`\n### ${base.chunks.toLocaleString("en")} chunks, ${base.queries} judged queries\n`);
  console.log(
    "| engine | build s | commit s | p50 ms | p95 ms | p99 ms | peak RSS MB | DB MB | nDCG@10 | Recall@100 | p50 ÷ built-in | peak RSS ÷ built-in | nDCG − built-in |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of runs)
    console.log(
      `| ${r.engine} | ${r.buildSeconds.toFixed(1)} | ${r.commitSeconds.toFixed(1)} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${mb(r.peak)} | ${mb(r.dbBytes)} | ${r.ndcg10.toFixed(4)} | ${r.recall100.toFixed(4)} | ${(r.p50 / base.p50).toFixed(2)}× | ${(r.peak / base.peak).toFixed(2)}× | ${r.ndcg10 - base.ndcg10 >= 0 ? "+" : ""}${(r.ndcg10 - base.ndcg10).toFixed(4)} |`,
    );
}
