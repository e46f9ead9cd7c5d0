/**
 * Retrieval quality on any BEIR-format folder, through the real ingestion path: every document
 * becomes a knowledge file (`# title` + text), is uploaded to a knowledge backend, ingested
 * (transform → heading-aware chunks → BM25) and searched per query, ranked by best chunk per file.
 *
 *   npm run eval:beir -- ../shared/data/scifact [--split train|test|dev] [--max-queries N]
 *
 * Prints nDCG@10 and Recall@100 (BEIR / trec_eval definitions: gain = qrel score, log2 discount,
 * judged queries only), plus ingestion and query timings.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ndcgAt, recallAt } from "../bench/scifact.ts";
import {
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  type PutFileEntry,
  RAGKnowledgeBase,
} from "../src/index.ts";

interface Args {
  dir: string;
  split: string | undefined;
  maxQueries: number;
}

function parseArgs(argv: string[]): Args {
  const dir = argv.find((a) => !a.startsWith("--"));
  if (!dir) {
    console.error(
      "usage: npm run eval:beir -- <beir-folder> [--split train|test|dev] [--max-queries N]",
    );
    process.exit(2);
  }
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    dir,
    split: value("--split"),
    maxQueries: Number(value("--max-queries") ?? Number.POSITIVE_INFINITY),
  };
}

function readJsonl(path: string): Record<string, unknown>[] {
  const raw = path.endsWith(".gz")
    ? gunzipSync(readFileSync(path)).toString("utf8")
    : readFileSync(path, "utf8");
  return raw
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

function loadBeir(dir: string, split: string | undefined) {
  const corpusPath = ["corpus.jsonl", "corpus.jsonl.gz"].map((f) => join(dir, f)).find(existsSync);
  if (!corpusPath) throw new Error(`${dir}: no corpus.jsonl[.gz]`);
  const chosen =
    split ?? ["test", "dev", "train"].find((s) => existsSync(join(dir, "qrels", `${s}.tsv`)));
  const qrelsPath = join(dir, "qrels", `${chosen}.tsv`);
  if (!existsSync(qrelsPath)) throw new Error(`${dir}: no qrels/${chosen}.tsv`);
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(qrelsPath, "utf8").split("\n").slice(1)) {
    const [q, d, score] = line.trim().split("\t");
    if (!q || !d || score === undefined) continue;
    const m = qrels.get(q) ?? new Map<string, number>();
    m.set(d, Number(score));
    qrels.set(q, m);
  }
  const queries = readJsonl(join(dir, "queries.jsonl"))
    .map((q) => ({ id: String(q._id), text: String(q.text), relevant: qrels.get(String(q._id)) }))
    .filter(
      (q): q is { id: string; text: string; relevant: Map<string, number> } =>
        !!q.relevant && [...q.relevant.values()].some((g) => g > 0),
    );
  const corpus = readJsonl(corpusPath).map((d) => ({
    id: String(d._id),
    title: String(d.title ?? ""),
    text: String(d.text ?? ""),
  }));
  return { corpus, queries, split: chosen };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { corpus, queries, split } = loadBeir(args.dir, args.split);
  const judged = queries.slice(0, args.maxQueries);
  console.log(`${args.dir}: ${corpus.length} documents, ${judged.length} judged ${split} queries`);

  // Documents become knowledge files; ids are kept apart from paths (any id is allowed in BEIR).
  const docOf = new Map<string, string>();
  const files: PutFileEntry[] = corpus.map((d, i) => {
    const path = `docs/${String(i).padStart(7, "0")}-${d.id.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80)}.md`;
    docOf.set(path, d.id);
    return { path, content: `# ${d.title.trim() || d.id}\n\n${d.text}` };
  });
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content as string), 0);

  const source = new InMemoryKnowledgeBackend();
  await source.createKb("beir");
  let t = performance.now();
  for (let i = 0; i < files.length; i += 1000)
    await source.putFiles("beir", files.slice(i, i + 1000));
  const uploadMs = performance.now() - t;

  const kb = await RAGKnowledgeBase.fromConfig({});
  t = performance.now();
  const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("beir");
  const ingestMs = performance.now() - t;
  if (!result.success) console.log(`errors: ${JSON.stringify(result.errors.slice(0, 5))}`);
  console.log(
    `upload ${(uploadMs / 1000).toFixed(2)} s; ingest ${result.filesProcessed} files → ${result.chunksCreated} chunks in ${(ingestMs / 1000).toFixed(2)} s (${(bytes / 1e6 / (ingestMs / 1000)).toFixed(1)} MB/s)`,
  );

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
  console.log(`nDCG@10     ${(ndcg / judged.length).toFixed(4)}`);
  console.log(`Recall@100  ${(recall / judged.length).toFixed(4)}`);
  console.log(
    `query       p50 ${pct(times, 50).toFixed(2)} ms, p95 ${pct(times, 95).toFixed(2)} ms (top 100 files, full query path)`,
  );
}

await main();
