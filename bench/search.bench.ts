/**
 * Lexical search, side by side in one run on SciFact train (setup (a): one unit per abstract):
 * botknobs' Bm25Index vs MiniSearch 7, Orama 3 and a textbook BM25 written below. For each:
 * build time, query latency p50/p95 over the judged train queries after a warm-up pass, and
 * nDCG@10 / Recall@100 (top 100 asked of each). Then the stored size and load time of our index,
 * and our numbers on setup (b) (chunks collapsed to documents).
 *
 * Run: `npx tsx bench/search.bench.ts` (env BENCH_PASSES=n measures n passes, default 1).
 * Builds are timed one engine at a time after a full GC with no other index alive; queries run
 * with all four built.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { create, insertMultiple, search as oramaSearch } from "@orama/orama";
import MiniSearch from "minisearch";
import { Bm25Index } from "../src/core/knowledge/index/bm25/bm25.ts";
import {
  chunkCorpus,
  collapse,
  docOfChunk,
  loadScifact,
  type Quality,
  quality,
  type ScifactDoc,
  type ScifactQuery,
  wholeCorpus,
} from "./scifact.ts";

const PASSES = Number(process.env.BENCH_PASSES ?? 1);
const BUILDS = 5;

/** The baseline: one field (title + text), k1 0.9, b 0.4, [a-z0-9]+ tokens, Map postings. */
class TextbookBm25 {
  readonly postings = new Map<string, Map<number, number>>();
  readonly lengths: number[] = [];
  readonly ids: string[] = [];
  totalLength = 0;

  static tokens(text: string): string[] {
    return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  }

  add(id: string, text: string): void {
    const doc = this.ids.length;
    this.ids.push(id);
    const tokens = TextbookBm25.tokens(text);
    this.lengths.push(tokens.length);
    this.totalLength += tokens.length;
    for (const token of tokens) {
      let list = this.postings.get(token);
      if (list === undefined) {
        list = new Map();
        this.postings.set(token, list);
      }
      list.set(doc, (list.get(doc) ?? 0) + 1);
    }
  }

  search(query: string, k: number, k1 = 0.9, b = 0.4): string[] {
    const n = this.ids.length;
    const avg = this.totalLength / n;
    const scores = new Map<number, number>();
    for (const token of TextbookBm25.tokens(query)) {
      const list = this.postings.get(token);
      if (list === undefined) continue;
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      for (const [doc, tf] of list) {
        const norm = k1 * (1 - b + (b * (this.lengths[doc] as number)) / avg);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (k1 + 1)) / (tf + norm));
      }
    }
    return [...scores]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, k)
      .map(([doc]) => this.ids[doc] as string);
  }
}

interface Engine {
  name: string;
  build(corpus: readonly ScifactDoc[]): Promise<void> | void;
  search(query: string): Promise<string[]> | string[];
  /** Drops the built index, so that another engine's build runs in a heap without it. */
  release(): void;
}

// A full garbage collection between timed builds, so no build pays for another's garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function engines(): Engine[] {
  let ours = new Bm25Index();
  let mini = new MiniSearch({ fields: ["title", "text"] });
  const schema = { title: "string", text: "string" } as const;
  let orama = create({ schema });
  let textbook = new TextbookBm25();
  return [
    {
      name: "botknobs Bm25Index",
      build: (corpus) => {
        ours = new Bm25Index();
        for (const u of wholeCorpus(corpus)) ours.add(u);
      },
      search: (q) => ours.search(q, { k: 100 }).map((h) => h.id),
      release: () => {
        ours = new Bm25Index();
      },
    },
    {
      name: "MiniSearch 7",
      build: (corpus) => {
        mini = new MiniSearch({ fields: ["title", "text"] });
        mini.addAll(corpus);
      },
      search: (q) =>
        mini
          .search(q)
          .slice(0, 100)
          .map((r) => String(r.id)),
      release: () => {
        mini = new MiniSearch({ fields: ["title", "text"] });
      },
    },
    {
      name: "Orama 3",
      build: async (corpus) => {
        orama = create({ schema });
        await insertMultiple(
          orama,
          corpus.map((d) => ({ id: d.id, title: d.title, text: d.text })),
        );
      },
      // threshold 1: documents matching any query term (OR), as the other engines do.
      search: async (q) =>
        (await oramaSearch(orama, { term: q, limit: 100, threshold: 1 })).hits.map((h) => h.id),
      release: () => {
        orama = create({ schema });
      },
    },
    {
      name: "textbook BM25",
      build: (corpus) => {
        textbook = new TextbookBm25();
        for (const d of corpus) textbook.add(d.id, `${d.title} ${d.text}`);
      },
      search: (q) => textbook.search(q, 100),
      release: () => {
        textbook = new TextbookBm25();
      },
    },
  ];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

interface Row {
  name: string;
  buildMs: number;
  p50: number;
  p95: number;
  quality: Quality;
}

/**
 * Measures every engine, interleaved so that load from other processes on a shared machine falls
 * on all of them alike: build rounds go engine by engine, and each query is run on every engine in
 * turn (the order rotating per query) before the next query.
 */
async function measureAll(
  all: Engine[],
  corpus: ScifactDoc[],
  queries: ScifactQuery[],
): Promise<Row[]> {
  const builds: number[][] = all.map(() => []);
  for (let round = 0; round < BUILDS; round++) {
    for (const [e, engine] of all.entries()) {
      for (const other of all) other.release();
      gc();
      const t0 = performance.now();
      await engine.build(corpus);
      (builds[e] as number[]).push(performance.now() - t0);
    }
  }
  for (const engine of all) await engine.build(corpus); // all alive for the query passes
  for (const q of queries) for (const engine of all) await engine.search(q.text); // warm-up pass
  const times: number[][] = all.map(() => []);
  const rankings = all.map(() => new Map<string, string[]>());
  for (let pass = 0; pass < PASSES; pass++) {
    for (const [i, q] of queries.entries()) {
      for (let j = 0; j < all.length; j++) {
        const e = (i + j) % all.length;
        const t0 = performance.now();
        const ids = await (all[e] as Engine).search(q.text);
        (times[e] as number[]).push(performance.now() - t0);
        (rankings[e] as Map<string, string[]>).set(q.id, ids);
      }
    }
  }
  return all.map((engine, e) => {
    const sorted = (times[e] as number[]).sort((a, b) => a - b);
    return {
      name: engine.name,
      buildMs: median(builds[e] as number[]),
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      quality: quality(queries, rankings[e] as Map<string, string[]>),
    };
  });
}

const ms = (x: number): string => (x < 10 ? x.toFixed(3) : x.toFixed(1));
const ratio = (ours: number, peer: number): string => `${(ours / peer).toFixed(3)}×`;

const { corpus, queries } = loadScifact();
console.log(
  `SciFact train, setup (a): ${corpus.length} abstracts, ${queries.length} judged queries; ` +
    `${BUILDS} interleaved builds (median), 1 warm-up pass + ${PASSES} measured pass(es), engines interleaved per query; Node ${process.version}`,
);
const rows = await measureAll(engines(), corpus, queries);

console.log("\n| engine | build ms | query p50 ms | query p95 ms | nDCG@10 | Recall@100 |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${ms(r.buildMs)} | ${ms(r.p50)} | ${ms(r.p95)} | ${r.quality.ndcg10.toFixed(4)} | ${r.quality.recall100.toFixed(4)} |`,
  );
}
const ours = rows[0] as Row;
console.log("\nRatios, ours ÷ peer (below 1× means ours is faster / smaller):");
console.log("| peer | build | p50 | p95 | nDCG@10 difference |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows.slice(1)) {
  const d = ours.quality.ndcg10 - r.quality.ndcg10;
  console.log(
    `| ${r.name} | ${ratio(ours.buildMs, r.buildMs)} | ${ratio(ours.p50, r.p50)} | ${ratio(ours.p95, r.p95)} | ${d >= 0 ? "+" : ""}${d.toFixed(4)} |`,
  );
}

// Stored form: size, and load time with identical results.
const index = new Bm25Index();
for (const u of wholeCorpus(corpus)) index.add(u);
const json = JSON.stringify(index);
const loads: number[] = [];
let loaded = Bm25Index.fromJSON(JSON.parse(json));
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  loaded = Bm25Index.fromJSON(JSON.parse(json));
  loads.push(performance.now() - t0);
}
const parsed = JSON.parse(json);
const fromJsonOnly: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  Bm25Index.fromJSON(parsed);
  fromJsonOnly.push(performance.now() - t0);
}
const identical = queries.every(
  (q) =>
    JSON.stringify(index.search(q.text, { k: 100 })) ===
    JSON.stringify(loaded.search(q.text, { k: 100 })),
);
const mini = new MiniSearch({ fields: ["title", "text"] });
mini.addAll(corpus);
const miniJson = JSON.stringify(mini);
console.log(
  `\nStored index (setup a): JSON ${json.length.toLocaleString("en")} bytes, gzip ${gzipSync(json).length.toLocaleString("en")} bytes; ` +
    `JSON.parse + fromJSON median ${ms(median(loads))} ms (fromJSON alone ${ms(median(fromJsonOnly))} ms); ` +
    `identical top-100 for all queries after reload: ${identical ? "yes" : "NO"}`,
);
console.log(
  `For scale, MiniSearch's JSON: ${miniJson.length.toLocaleString("en")} bytes, gzip ${gzipSync(miniJson).length.toLocaleString("en")} bytes`,
);

// Setup (b): chunks with group = document, collapsed to documents (best chunk per group).
const chunks = chunkCorpus(corpus);
const t0 = performance.now();
const chunked = new Bm25Index();
for (const c of chunks) chunked.add(c);
const chunkBuild = performance.now() - t0;
for (const q of queries) chunked.search(q.text, { k: 100, collapseGroups: true });
const times: number[] = [];
const rankings = new Map<string, string[]>();
for (const q of queries) {
  const s = performance.now();
  const hits = chunked.search(q.text, { k: 100, collapseGroups: true });
  times.push(performance.now() - s);
  rankings.set(
    q.id,
    collapse(
      hits.map((h) => h.id),
      docOfChunk,
    ),
  );
}
times.sort((a, b) => a - b);
const qb = quality(queries, rankings);
const chunkJson = JSON.stringify(chunked);
console.log(
  `Setup (b), ours: ${chunks.length} chunks, build ${ms(chunkBuild)} ms, p50 ${ms(percentile(times, 0.5))} ms, ` +
    `p95 ${ms(percentile(times, 0.95))} ms, nDCG@10 ${qb.ndcg10.toFixed(4)}, Recall@100 ${qb.recall100.toFixed(4)}, ` +
    `JSON ${chunkJson.length.toLocaleString("en")} bytes, gzip ${gzipSync(chunkJson).length.toLocaleString("en")} bytes`,
);
