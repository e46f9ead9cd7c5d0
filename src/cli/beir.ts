/**
 * Retrieval quality on a BEIR-format folder (`corpus.jsonl[.gz]`, `queries.jsonl`,
 * `qrels/<split>.tsv`), through the real ingestion path: each document becomes a knowledge file
 * (`# title` + text), uploaded to a knowledge backend, ingested (transform → heading-aware chunks
 * → BM25) and searched per query, ranked by best chunk per file. nDCG@10 and Recall@100 by the
 * BEIR / trec_eval definitions (gain = qrel score, log2 discount, judged queries only). What
 * `botknobs eval` and `npm run eval:beir` print; the benchmarks score with the same metrics.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import { InMemoryKnowledgeBackend } from "../core/knowledge/store/memory-backend.ts";
import type { PutFileEntry } from "../core/knowledge/store/types.ts";
import { CliError, EXIT } from "./errors.ts";

/** One document of a BEIR corpus. */
export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

/** One judged query with its relevant documents (id → graded relevance). */
export interface BeirQuery {
  id: string;
  text: string;
  relevant: ReadonlyMap<string, number>;
}

/** A BEIR folder, loaded: the corpus, the judged queries of one split, and which split. */
export interface Beir {
  corpus: BeirDoc[];
  queries: BeirQuery[];
  split: string;
}

/**
 * nDCG@k: gain = qrel score, discount log2(rank + 1), ideal DCG from the judged documents.
 * `ranked` must hold each document once.
 * @example
 * ndcgAt(["d1", "d7"], new Map([["d7", 1]]), 10); // 0.63…
 */
export function ndcgAt(
  ranked: readonly string[],
  relevant: ReadonlyMap<string, number>,
  k = 10,
): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    dcg += (relevant.get(ranked[i] as string) ?? 0) / Math.log2(i + 2);
  }
  const ideal = [...relevant.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++)
    idcg += (ideal[i] as number) / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/**
 * Recall@k: the share of the relevant (score > 0) documents found in the top k.
 * @example
 * recallAt(["d1", "d7"], new Map([["d7", 1], ["d9", 1]]), 100); // 0.5
 */
export function recallAt(
  ranked: readonly string[],
  relevant: ReadonlyMap<string, number>,
  k = 100,
): number {
  let wanted = 0;
  for (const g of relevant.values()) if (g > 0) wanted++;
  let found = 0;
  for (const id of ranked.slice(0, k)) if ((relevant.get(id) ?? 0) > 0) found++;
  return wanted > 0 ? found / wanted : 0;
}

function readJsonl(path: string): Record<string, unknown>[] {
  const raw = path.endsWith(".gz")
    ? new TextDecoder().decode(gunzipSync(readFileSync(path)))
    : readFileSync(path, "utf8");
  return raw
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch (error) {
        throw new CliError(`${path}: line ${i + 1} is not JSON (${(error as Error).message})`);
      }
    });
}

/**
 * Loads a BEIR folder: `split` (default the first of test, dev, train that has qrels); only
 * queries with a relevant document are kept.
 * @example
 * const { corpus, queries } = loadBeir("../shared/data/scifact", "train");
 */
export function loadBeir(dir: string, split?: string): Beir {
  const corpusPath = ["corpus.jsonl", "corpus.jsonl.gz"].map((f) => join(dir, f)).find(existsSync);
  if (!corpusPath)
    throw new CliError(
      `${dir}: no corpus.jsonl or corpus.jsonl.gz — give a BEIR-format folder (corpus, queries.jsonl, qrels/<split>.tsv)`,
      EXIT.USAGE,
    );
  const chosen =
    split ?? ["test", "dev", "train"].find((s) => existsSync(join(dir, "qrels", `${s}.tsv`)));
  const qrelsPath = join(dir, "qrels", `${chosen ?? "test"}.tsv`);
  if (!chosen || !existsSync(qrelsPath))
    throw new CliError(
      `${dir}: no qrels/${chosen ?? "{test,dev,train}"}.tsv — name a split that has judgements (--split)`,
      EXIT.USAGE,
    );
  const queriesPath = join(dir, "queries.jsonl");
  if (!existsSync(queriesPath)) throw new CliError(`${dir}: no queries.jsonl`, EXIT.USAGE);
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(qrelsPath, "utf8").split("\n").slice(1)) {
    const [q, d, score] = line.trim().split("\t");
    if (!q || !d || score === undefined) continue;
    const m = qrels.get(q) ?? new Map<string, number>();
    m.set(d, Number(score));
    qrels.set(q, m);
  }
  const queries = readJsonl(queriesPath)
    .map((q) => ({ id: String(q._id), text: String(q.text), relevant: qrels.get(String(q._id)) }))
    .filter(
      (q): q is BeirQuery & { relevant: Map<string, number> } =>
        !!q.relevant && [...q.relevant.values()].some((g) => g > 0),
    );
  const corpus = readJsonl(corpusPath).map((d) => ({
    id: String(d._id),
    title: String(d.title ?? ""),
    text: String(d.text ?? ""),
  }));
  return { corpus, queries, split: chosen };
}

/** What an evaluation measured. */
export interface BeirReport {
  documents: number;
  queries: number;
  split: string;
  files: number;
  chunks: number;
  bytes: number;
  uploadSeconds: number;
  ingestSeconds: number;
  ingestErrors: { file: string; error: string }[];
  ndcg10: number;
  recall100: number;
  queryP50Ms: number;
  queryP95Ms: number;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/**
 * Ingests `beir`'s corpus as knowledge files and scores the first `maxQueries` judged queries.
 * @example
 * const report = await evaluateBeir(loadBeir(dir));
 * console.log(report.ndcg10);
 */
export async function evaluateBeir(
  beir: Beir,
  options: {
    maxQueries?: number;
    onProgress?: (done: number, total: number, chunks: number) => void;
  } = {},
): Promise<BeirReport> {
  const judged = beir.queries.slice(0, options.maxQueries ?? Number.POSITIVE_INFINITY);
  // Documents become knowledge files; ids are kept apart from paths (any id is allowed in BEIR).
  const docOf = new Map<string, string>();
  const files: PutFileEntry[] = beir.corpus.map((d, i) => {
    const path = `docs/${String(i).padStart(7, "0")}-${d.id.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80)}.md`;
    docOf.set(path, d.id);
    return { path, content: `# ${d.title.trim() || d.id}\n\n${d.text}` };
  });
  const encoder = new TextEncoder();
  const bytes = files.reduce((n, f) => n + encoder.encode(f.content as string).length, 0);

  const source = new InMemoryKnowledgeBackend();
  await source.createKb("beir");
  let t = performance.now();
  for (let i = 0; i < files.length; i += 1000)
    await source.putFiles("beir", files.slice(i, i + 1000));
  const uploadSeconds = (performance.now() - t) / 1000;

  const kb = await RAGKnowledgeBase.fromConfig({});
  t = performance.now();
  let chunks = 0;
  const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("beir", {
    onProgress: (p) => {
      chunks += p.chunks;
      options.onProgress?.(p.done, p.total, chunks);
    },
  });
  const ingestSeconds = (performance.now() - t) / 1000;

  let ndcg = 0;
  let recall = 0;
  const times: number[] = [];
  for (const q of judged) {
    const start = performance.now();
    const hits = await kb.query(q.text, { k: 100, perSource: true });
    times.push(performance.now() - start);
    const ranked = hits.map((h) => docOf.get(h.source) as string);
    ndcg += ndcgAt(ranked, q.relevant, 10);
    recall += recallAt(ranked, q.relevant, 100);
  }
  const n = Math.max(judged.length, 1);
  return {
    documents: beir.corpus.length,
    queries: judged.length,
    split: beir.split,
    files: result.filesProcessed,
    chunks: result.chunksCreated,
    bytes,
    uploadSeconds,
    ingestSeconds,
    ingestErrors: result.errors,
    ndcg10: ndcg / n,
    recall100: recall / n,
    queryP50Ms: pct(times, 50),
    queryP95Ms: pct(times, 95),
  };
}
