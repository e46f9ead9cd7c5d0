/**
 * The fresh-process half of `index-persist.bench.ts`: one mode per run, one JSON line out.
 *
 *   node --import tsx bench/index-child.ts load <root> <queries.json>   open the persisted index, answer
 *   node --import tsx bench/index-child.ts build <docs.json> <queries.json>   chunk and index the corpus, answer
 *   node --import tsx bench/index-child.ts bm25 <chunks.json> <queries.json>   index ready-made chunks, answer
 *
 * Each reports `firstMs` (from start to the first answer, everything included) and `p50`/`p95`
 * of the queries after it.
 */
import { readFileSync } from "node:fs";
import { FileKnowledgeBackend, FsBlobStore } from "../src/adapters/node/index.ts";
import { Bm25Index } from "../src/core/knowledge/index/bm25/bm25.ts";
import { BlobSearchIndex, RAGKnowledgeBase } from "../src/index.ts";

const [mode, input, queriesFile] = process.argv.slice(2) as [string, string, string];
const queries = JSON.parse(readFileSync(queriesFile, "utf8")) as string[];
const started = performance.now();
let ask: (q: string) => Promise<unknown>;
if (mode === "load") {
  const kb = new RAGKnowledgeBase({
    index: new BlobSearchIndex({ store: new FsBlobStore({ root: input }) }),
    knowledge: new FileKnowledgeBackend({ path: input }),
  });
  ask = (q) => kb.query(q, { k: 100, perSource: true, filter: { domain_id: "scifact" } });
} else if (mode === "build") {
  const docs = JSON.parse(readFileSync(input, "utf8")) as { path: string; content: string }[];
  const kb = new RAGKnowledgeBase();
  const update = await kb.beginUpdate("scifact");
  for (const d of docs) await update.putFile(d.path, d.content);
  await update.commit();
  ask = (q) => kb.query(q, { k: 100, perSource: true, filter: { domain_id: "scifact" } });
} else {
  const chunks = JSON.parse(readFileSync(input, "utf8")) as [string, string, string, string][];
  const index = new Bm25Index();
  for (const [id, group, heading, text] of chunks)
    index.add({ id, group, fields: { heading, text } });
  ask = async (q) => index.search(q, { k: 100, collapseGroups: true });
}
await ask(queries[0] as string);
const firstMs = performance.now() - started;
const times: number[] = [];
for (const q of queries.slice(1)) {
  const t = performance.now();
  await ask(q);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    firstMs,
    p50: times[times.length >> 1],
    p95: times[Math.floor(times.length * 0.95)],
  }),
);
