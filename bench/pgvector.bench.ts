/**
 * `PgvectorVectorStore` beside the built-in `MemoryVectorStore` on the same vectors (issue 17):
 * N random 384-d vectors (seeded; default 10,000), then Q queries (default 200, after 20 warm-up
 * ones) of `k: 10`, one at a time: upsert seconds, query p50/p95, recall@10 against the memory
 * store's exact answer, and the p50 ratio. pgvector runs on PGlite (PostgreSQL 18 in WASM with
 * pgvector's own code, over the wire protocol through pglite-socket: the `postgres` client and
 * the adapter's SQL as against a server) and on the shared PostgreSQL when `CREATE EXTENSION
 * vector` works there (else it prints why it is skipped).
 *
 *   npx tsx bench/pgvector.bench.ts [N] [Q]
 * @module
 */
import { PgvectorVectorStore } from "../src/adapters/postgres/index.ts";
import { MemoryVectorStore, type VectorStore } from "../src/knowledge.ts";
import { startPglite } from "../test/fixtures/pglite.ts";
import { admin, PG_URL, randomName } from "../test/fixtures/postgres.ts";

const N = Number(process.argv[2] ?? 10_000);
const Q = Number(process.argv[3] ?? 200);
const D = 384;
const K = 10;
const WARM = 20;

function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5;
  };
}
const next = random(42);
const vec = (): Float32Array => Float32Array.from({ length: D }, next);
const records = Array.from({ length: N }, (_, i) => ({ id: `v${i}`, vector: vec() }));
const queries = Array.from({ length: Q + WARM }, vec);

interface Run {
  name: string;
  upsertSeconds: number;
  p50: number;
  p95: number;
  recall: number;
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

async function measure(
  name: string,
  store: VectorStore,
  truth: string[][] | null,
): Promise<{ run: Run; answers: string[][] }> {
  await store.initialize();
  const t0 = performance.now();
  await store.upsert(records);
  const upsertSeconds = (performance.now() - t0) / 1000;
  const times: number[] = [];
  const answers: string[][] = [];
  for (const [i, q] of queries.entries()) {
    const t = performance.now();
    const hits = await store.query(q, { k: K });
    if (i >= WARM) {
      times.push(performance.now() - t);
      answers.push(hits.map((h) => h.id));
    }
  }
  times.sort((a, b) => a - b);
  let found = 0;
  if (truth)
    for (const [i, a] of answers.entries())
      found += a.filter((id) => truth[i]?.includes(id)).length;
  const recall = truth ? found / (Q * K) : 1;
  return {
    run: { name, upsertSeconds, p50: pct(times, 0.5), p95: pct(times, 0.95), recall },
    answers,
  };
}

const runs: Run[] = [];
const memory = await measure("built-in `MemoryVectorStore` (exact)", new MemoryVectorStore(), null);
runs.push(memory.run);
console.error(JSON.stringify(memory.run));

const pglite = await startPglite();
if (typeof pglite === "string") console.error(`skipped: PGlite: ${pglite}`);
else {
  try {
    const store = new PgvectorVectorStore({
      connection_string: pglite.url,
      table: randomName("bk_bench"),
    });
    const { run } = await measure(
      `pgvector on ${pglite.version.split(" on ")[0]} (HNSW)`,
      store,
      memory.answers,
    );
    runs.push(run);
    console.error(JSON.stringify(run));
    await store.close();
  } finally {
    await pglite.stop();
  }
}

const table = randomName("bk_bench");
const shared = new PgvectorVectorStore({ connection_string: PG_URL, table });
try {
  const { run } = await measure("pgvector on the shared PostgreSQL (HNSW)", shared, memory.answers);
  runs.push(run);
} catch (error) {
  console.error(`skipped: the shared PostgreSQL: ${(error as Error).message}`);
} finally {
  await shared.close();
  await admin((sql) => sql.unsafe(`DROP TABLE IF EXISTS "${table}"`)).catch(() => {});
}

console.log(`\n### ${N.toLocaleString("en")} random ${D}-d vectors, ${Q} queries of k ${K}\n`);
console.log("| store | upsert s | query p50 ms | query p95 ms | recall@10 | p50 ÷ built-in |");
console.log("|---|---:|---:|---:|---:|---:|");
const base = runs[0] as Run;
for (const r of runs)
  console.log(
    `| ${r.name} | ${r.upsertSeconds.toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.recall.toFixed(4)} | ${(r.p50 / base.p50).toFixed(2)}× |`,
  );
