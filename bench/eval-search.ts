/**
 * Quality of the BM25 index on SciFact train (nDCG@10, Recall@100) across a few global parameter
 * choices, for setup (a) one unit per abstract and setup (b) ~500-character chunks collapsed to
 * documents by best chunk. Run: `npx tsx bench/eval-search.ts [filter]` (filter: a substring of
 * the configuration names to run).
 * @module
 */
import { Bm25Index } from "../src/core/knowledge/index/bm25/bm25.ts";
import type { Bm25Options } from "../src/core/knowledge/index/bm25/types.ts";
import {
  chunkCorpus,
  collapse,
  docOfChunk,
  loadScifact,
  type Quality,
  quality,
  type ScifactUnit,
  wholeCorpus,
} from "./scifact.ts";

// Lucene's classic English stop set (33 words), the one Anserini's BM25 baseline uses.
const LUCENE_33 = (
  "a an and are as at be but by for if in into is it no not of on or such that the their then " +
  "there these they this to was will with"
).split(" ");

interface Config {
  name: string;
  setup: "a" | "b";
  options: Bm25Options;
  /** Index title + text as one field instead of two. */
  oneField?: boolean;
}

const configs: Config[] = [];
const add = (name: string, options: Bm25Options, oneField = false): void => {
  configs.push({ name, setup: "a", options, oneField });
  configs.push({ name, setup: "b", options, oneField });
};
// Tokenisation, one field (title + " " + text), Anserini's k1 0.9 / b 0.4, default group weight.
const anserini = { k1: 0.9, b: 0.4 } as const;
add(
  "one field, k1 .9 b .4, no stem, no stopwords",
  { ...anserini, stemmer: "none", stopwords: "none" },
  true,
);
add(
  "one field, k1 .9 b .4, no stem, lucene33",
  { ...anserini, stemmer: "none", stopwords: LUCENE_33 },
  true,
);
add("one field, k1 .9 b .4, porter2, lucene33", { ...anserini, stopwords: LUCENE_33 }, true);
add("one field, k1 .9 b .4, porter2, english", { ...anserini }, true);
add("one field, k1 .9 b .4, porter2, no stopwords", { ...anserini, stopwords: "none" }, true);
// Field weighting (BM25F: heading and text normalised separately).
for (const w of [1, 1.5, 2, 3])
  add(`bm25f k1 .9 b .4, heading ${w}`, { ...anserini, fieldWeights: { heading: w } });
add("bm25f k1 .9 b .4, heading 2, heading b 0", { ...anserini, fieldB: { heading: 0 } });
// k1 and b.
for (const [k1, b] of [
  [0.9, 0.4],
  [0.9, 0.75],
  [1.2, 0.4],
  [1.2, 0.75],
  [1.5, 0.5],
] as const) {
  add(`bm25f heading 2, k1 ${k1} b ${b}`, { k1, b });
}
add("defaults (k1 1.2, b 0.75, heading 2, groupWeight 0.5)", {});
// Group evidence for chunks, on the defaults.
for (const g of [0, 0.25, 0.5, 0.75, 1]) {
  configs.push({ name: `defaults, groupWeight ${g}`, setup: "b", options: { groupWeight: g } });
}

function run(
  units: ScifactUnit[],
  config: Config,
  queries: ReturnType<typeof loadScifact>["queries"],
): Quality {
  const index = new Bm25Index(config.options);
  for (const u of units) {
    const fields = config.oneField ? { text: `${u.fields.heading} ${u.fields.text}` } : u.fields;
    index.add(u.group === undefined ? { id: u.id, fields } : { id: u.id, group: u.group, fields });
  }
  const rankings = new Map<string, string[]>();
  for (const q of queries) {
    const hits = index.search(q.text, { k: 100, collapseGroups: true });
    rankings.set(
      q.id,
      collapse(
        hits.map((h) => h.id),
        docOfChunk,
      ),
    );
  }
  return quality(queries, rankings);
}

const { corpus, queries } = loadScifact();
const units = { a: wholeCorpus(corpus), b: chunkCorpus(corpus) };
console.log(
  `SciFact train: ${corpus.length} abstracts, ${units.b.length} chunks, ${queries.length} judged queries`,
);
const filter = process.argv[2] ?? "";
console.log("| setup | configuration | nDCG@10 | Recall@100 |");
console.log("| --- | --- | --- | --- |");
for (const config of configs) {
  if (!config.name.includes(filter)) continue;
  const q = run(units[config.setup], config, queries);
  console.log(
    `| ${config.setup} | ${config.name} | ${q.ndcg10.toFixed(4)} | ${q.recall100.toFixed(4)} |`,
  );
}
