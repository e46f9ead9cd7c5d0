/**
 * SciFact (BEIR) for the search benchmarks: loading, a simple chunker, and the BEIR metrics
 * (nDCG@10 with gain = qrel score and a log2 discount, Recall@100), over the queries that have
 * judgements. Node-only (reads files, gunzips with node:zlib). Data: ../shared/data/scifact, see
 * its README (SciFact, Wadden et al. 2020; BEIR, Thakur et al. 2021).
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ndcgAt, recallAt } from "../src/cli/beir.ts";

// The BEIR metrics live with `botknobs eval`, which scores with them too.
export { ndcgAt, recallAt };

/** One abstract. */
export interface ScifactDoc {
  id: string;
  title: string;
  text: string;
}

/** One claim with its judged relevant documents. */
export interface ScifactQuery {
  id: string;
  text: string;
  /** Relevant document id → graded relevance. */
  relevant: ReadonlyMap<string, number>;
}

/** The corpus and the judged train queries. */
export interface Scifact {
  corpus: ScifactDoc[];
  queries: ScifactQuery[];
}

/** Where the data lives: `$SCIFACT_DIR`, else `../shared/data/scifact` beside the repo. */
export const SCIFACT_DIR: string =
  process.env.SCIFACT_DIR ?? fileURLToPath(new URL("../../shared/data/scifact/", import.meta.url));

/**
 * Loads the corpus, the train queries and their qrels; keeps only judged queries.
 * @example
 * const { corpus, queries } = loadScifact();
 */
export function loadScifact(dir: string = SCIFACT_DIR): Scifact {
  const corpus = gunzipSync(readFileSync(`${dir}/corpus.jsonl.gz`))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const d = JSON.parse(line) as { _id: string; title: string; text: string };
      return { id: d._id, title: d.title, text: d.text };
    });
  const qrels = new Map<string, Map<string, number>>();
  const lines = readFileSync(`${dir}/qrels/train.tsv`, "utf8").split("\n").slice(1);
  for (const line of lines) {
    const [qid, docId, score] = line.trim().split("\t");
    if (qid === undefined || docId === undefined || score === undefined) continue;
    let rel = qrels.get(qid);
    if (rel === undefined) {
      rel = new Map();
      qrels.set(qid, rel);
    }
    rel.set(docId, Number(score));
  }
  const queries: ScifactQuery[] = [];
  for (const line of readFileSync(`${dir}/queries.jsonl`, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const q = JSON.parse(line) as { _id: string; text: string };
    const relevant = qrels.get(q._id);
    if (relevant !== undefined && relevant.size > 0) {
      queries.push({ id: q._id, text: q.text, relevant });
    }
  }
  return { corpus, queries };
}

/** Mean nDCG@10 and Recall@100 of a run (document ids best first, each once). */
export interface Quality {
  ndcg10: number;
  recall100: number;
}

/** Scores `rankings` (query id → ranked document ids) against the judged queries. */
export function quality(
  queries: readonly ScifactQuery[],
  rankings: Map<string, string[]>,
): Quality {
  let ndcg = 0;
  let recall = 0;
  for (const q of queries) {
    const ranked = rankings.get(q.id) ?? [];
    ndcg += ndcgAt(ranked, q.relevant, 10);
    recall += recallAt(ranked, q.relevant, 100);
  }
  return { ndcg10: ndcg / queries.length, recall100: recall / queries.length };
}

/** Document ids in order of first appearance: collapses a chunk ranking to its documents. */
export function collapse(ids: Iterable<string>, docOf: (id: string) => string): string[] {
  const seen = new Set<string>();
  for (const id of ids) seen.add(docOf(id));
  return [...seen];
}

function overlapTail(chunk: string, overlap: number): string {
  if (chunk.length <= overlap) return chunk;
  const start = chunk.indexOf(" ", chunk.length - overlap);
  return start < 0 ? "" : chunk.slice(start + 1);
}

/**
 * Splits text into chunks of at most ~`size` characters at sentence boundaries (words for an
 * over-long sentence), each starting with the last ≤ `overlap` characters of the previous one
 * (cut at a word boundary). A stand-in for the real heading-aware chunker.
 * @example
 * splitChunks(abstract, 500, 50)
 */
export function splitChunks(text: string, size = 500, overlap = 50): string[] {
  const pieces: string[] = [];
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    if (sentence.length <= size) {
      if (sentence.trim() !== "") pieces.push(sentence);
      continue;
    }
    let current = "";
    for (const word of sentence.split(/\s+/)) {
      if (current !== "" && current.length + 1 + word.length > size) {
        pieces.push(current);
        current = word;
      } else current = current === "" ? word : `${current} ${word}`;
    }
    if (current !== "") pieces.push(current);
  }
  const chunks: string[] = [];
  let current = "";
  for (const piece of pieces) {
    if (current !== "" && current.length + 1 + piece.length > size) {
      chunks.push(current);
      const tail = overlapTail(current, overlap);
      current = tail !== "" && tail.length + 1 + piece.length <= size ? `${tail} ${piece}` : piece;
    } else current = current === "" ? piece : `${current} ${piece}`;
  }
  if (current !== "") chunks.push(current);
  return chunks;
}

/** One unit to index: a whole abstract or a chunk of one. */
export interface ScifactUnit {
  id: string;
  group?: string;
  fields: { heading: string; text: string };
}

/** Setup (a): one unit per abstract, heading = title, text = abstract. */
export function wholeCorpus(corpus: readonly ScifactDoc[]): ScifactUnit[] {
  return corpus.map((d) => ({ id: d.id, fields: { heading: d.title, text: d.text } }));
}

/** Setup (b): each abstract as chunks `<docId>#<n>`, group = doc id, heading = title. */
export function chunkCorpus(
  corpus: readonly ScifactDoc[],
  size = 500,
  overlap = 50,
): ScifactUnit[] {
  return corpus.flatMap((d) =>
    splitChunks(d.text, size, overlap).map((text, n) => ({
      id: `${d.id}#${n}`,
      group: d.id,
      fields: { heading: d.title, text },
    })),
  );
}

/** The document id of a chunk id made by {@link chunkCorpus}. */
export function docOfChunk(id: string): string {
  const hash = id.lastIndexOf("#");
  return hash < 0 ? id : id.slice(0, hash);
}
