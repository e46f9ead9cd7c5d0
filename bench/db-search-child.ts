/**
 * One engine of `bench/db-search.bench.ts` in a process of its own: SciFact (train) plus
 * distractor abstracts up to `chunks` chunks, uploaded and ingested through the real path
 * (`KnowledgeIngestionManager` → `RAGKnowledgeBase` over the engine's index), then every judged
 * query (`k: 100, perSource: true`). Prints one JSON line: build seconds (and the commits' share),
 * chunks, query p50/p95/p99, nDCG@10, Recall@100, the database's size on disk, and the process's
 * RSS (now and peak, from /proc/self/status).
 *
 *   node --import tsx bench/db-search-child.ts <engine> <chunks> [queries]
 *   engine: builtin | sqlite | sqlite-engine | postgres | postgres-engine
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresSearchIndex } from "../src/adapters/postgres/index.ts";
import { SqliteSearchIndex } from "../src/adapters/sqlite/index.ts";
import {
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  type PutFileEntry,
  RAGKnowledgeBase,
  type SearchIndex,
} from "../src/index.ts";
import { loadScifact, quality } from "./scifact.ts";

const [engine = "builtin", target = "0", limit = "100000"] = process.argv.slice(2);
const PG_URL = process.env.BOTKNOBS_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A seeded generator (LCG), the same distractors every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const { corpus, queries } = loadScifact();
const judged = queries.slice(0, Number(limit));
// Documents become files; ids kept apart from paths.
const docOf = new Map<string, string>();
const files: PutFileEntry[] = corpus.map((d, i) => {
  const path = `docs/${String(i).padStart(7, "0")}.md`;
  docOf.set(path, d.id);
  return { path, content: `# ${d.title.trim() || d.id}\n\n${d.text}` };
});
// Distractors: titles and sentences of random abstracts mixed (the corpus's own words and
// statistics), never judged relevant. About 4 chunks each, as a SciFact abstract.
const sentences = corpus.flatMap((d) => d.text.split(/(?<=[.!?])\s+/));
const next = random(17);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
const scifactChunks = 20_462; // what the ingestion path makes of SciFact (bench/RESULTS.md)
for (let i = 0; i < Math.max(0, Math.round((Number(target) - scifactChunks) / 4)); i++) {
  const words: string[] = [];
  while (words.join(" ").length < 1500) words.push(pick(sentences));
  files.push({
    path: `noise/${String(i).padStart(8, "0")}.md`,
    content: `# ${pick(corpus).title}\n\n${words.join(" ")}`,
  });
}

const dir = mkdtempSync(join(tmpdir(), "botknobs-db-bench-"));
const schema = `bk_bench_${process.pid}`;
function indexOf(name: string): SearchIndex | undefined {
  if (name === "builtin") return undefined;
  const ranking = name.endsWith("-engine") ? "engine" : "builtin";
  if (name.startsWith("sqlite"))
    return new SqliteSearchIndex({ path: join(dir, "search.db"), ranking });
  return new PostgresSearchIndex({ connection_string: PG_URL, table: `${schema}.kb`, ranking });
}

const rssNow = (): { rss: number; peak: number } => {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string): number =>
    Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
};

/** The database's size on disk: the SQLite file and its WAL, or the schema's relations. */
async function dbBytes(): Promise<number> {
  if (engine.startsWith("sqlite"))
    return ["search.db", "search.db-wal"]
      .map((f) => join(dir, f))
      .filter((f) => existsSync(f))
      .reduce((n, f) => n + statSync(f).size, 0);
  if (!engine.startsWith("postgres")) return 0;
  const { createPostgresClient } = await import("../src/adapters/postgres/index.ts");
  const sql = await createPostgresClient({ connection_string: PG_URL }, { max: 1 });
  try {
    const [row] = await sql.unsafe(
      "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind = 'r'",
      [schema],
    );
    return Number((row as { n: unknown }).n);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const index = indexOf(engine);
try {
  const source = new InMemoryKnowledgeBackend();
  await source.createKb("beir");
  for (let i = 0; i < files.length; i += 1000)
    await source.putFiles("beir", files.slice(i, i + 1000));
  const kb = new RAGKnowledgeBase(index ? { index } : {});
  await kb.index.initialize();
  // The commits' own time (the transaction, after the files are chunked and staged).
  let commitSeconds = 0;
  const stageOf = kb.index.stage.bind(kb.index);
  kb.index.stage = async (...args) => {
    const stage = await stageOf(...args);
    const commit = stage.commit.bind(stage);
    stage.commit = async () => {
      const began = performance.now();
      try {
        return await commit();
      } finally {
        commitSeconds += (performance.now() - began) / 1000;
      }
    };
    return stage;
  };
  let t = performance.now();
  const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("beir");
  const buildSeconds = (performance.now() - t) / 1000;
  if (result.errors.length > 0) throw new Error(JSON.stringify(result.errors.slice(0, 3)));
  // The corpus's files are no longer needed: only the index's memory counts from here.
  files.length = 0;
  const times: number[] = [];
  const rankings = new Map<string, string[]>();
  for (const [pass, list] of [judged.slice(0, 50), judged].entries())
    for (const q of list) {
      t = performance.now();
      const hits = await kb.query(q.text, { k: 100, perSource: true });
      if (pass === 1) times.push(performance.now() - t);
      rankings.set(
        q.id,
        hits.map((h) => docOf.get(h.source) ?? h.source),
      );
    }
  times.sort((a, b) => a - b);
  const { ndcg10, recall100 } = quality(judged, rankings);
  console.log(
    JSON.stringify({
      engine,
      chunks: result.chunksCreated,
      buildSeconds,
      p50: times[times.length >> 1],
      p95: times[Math.floor(times.length * 0.95)],
      p99: times[Math.floor(times.length * 0.99)],
      commitSeconds,
      dbBytes: await dbBytes(),
      ndcg10,
      recall100,
      queries: judged.length,
      ...rssNow(),
    }),
  );
  await kb.index.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (engine.startsWith("postgres")) {
    const { createPostgresClient } = await import("../src/adapters/postgres/index.ts");
    const sql = await createPostgresClient({ connection_string: PG_URL }, { max: 1 });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 5 });
  }
}
