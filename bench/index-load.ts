/**
 * The other half of `index-persist.bench.ts`: a fresh process that opens a persisted knowledge
 * base and answers queries. Prints one JSON line: load, first query (load included), p50 after.
 *
 *   node --import tsx bench/index-load.ts <root> <domain> <queries.json>
 */
import { readFileSync } from "node:fs";
import { FileKnowledgeBackend, FsBlobStore } from "../src/adapters/node/index.ts";
import { BlobSearchIndex, RAGKnowledgeBase } from "../src/index.ts";

const [root, domain, queriesFile] = process.argv.slice(2) as [string, string, string];
const queries = JSON.parse(readFileSync(queriesFile, "utf8")) as string[];
const started = performance.now();
const knowledge = new FileKnowledgeBackend({ path: root });
const index = new BlobSearchIndex({ store: new FsBlobStore({ root }) });
const kb = new RAGKnowledgeBase({ index, knowledge });
const filter = { domain_id: domain };
const first = await kb.query(queries[0] as string, { k: 100, perSource: true, filter });
const firstMs = performance.now() - started;
const times: number[] = [];
for (const q of queries) {
  const t = performance.now();
  await kb.query(q, { k: 100, perSource: true, filter });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    firstMs,
    firstHits: first.length,
    p50: times[times.length >> 1],
    p95: times[Math.floor(times.length * 0.95)],
  }),
);
