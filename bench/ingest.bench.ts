/**
 * Ingestion of the real docs corpus (~3,100 files, 39 MB): full ingestion throughput (upload,
 * then parse + chunk + index), and the incremental re-ingestion after one file changed, as a
 * share of the full one (goal ≤ 5%).
 *
 *   npx tsx bench/ingest.bench.ts
 */
import {
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../src/index.ts";
import { docsCorpus } from "../test/fixtures/data.ts";

const RUNS = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

const files = docsCorpus();
const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
console.log(
  `docs corpus: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB; median of ${RUNS} runs\n`,
);

const full: number[] = [];
const incremental: number[] = [];
const upload: number[] = [];
let chunks = 0;
let errors = 0;
for (let run = 0; run < RUNS; run++) {
  const source = new InMemoryKnowledgeBackend();
  await source.createKb("docs");
  let t = performance.now();
  for (let i = 0; i < files.length; i += 500) {
    await source.putFiles(
      "docs",
      files.slice(i, i + 500).map((f) => ({ path: f.path, content: f.bytes })),
    );
  }
  upload.push(performance.now() - t);
  const kb = await RAGKnowledgeBase.fromConfig({});
  const ingestion = new KnowledgeIngestionManager({ source, destination: kb });
  t = performance.now();
  const result = await ingestion.ingest("docs");
  full.push(performance.now() - t);
  chunks = result.chunksCreated;
  errors = result.errors.length;
  const changed = files[run * 101]?.path as string;
  await source.putFile(
    "docs",
    changed,
    `# Changed in run ${run}\n\nA new paragraph about incremental ingestion.`,
  );
  t = performance.now();
  const again = await ingestion.ingest("docs");
  incremental.push(performance.now() - t);
  if (again.filesProcessed !== 1 || again.filesUnchanged !== files.length - 1)
    throw new Error("incremental run re-processed more than the changed file");
}

const f = median(full);
const i = median(incremental);
console.log(`upload (putFiles, 500 per call)  ${median(upload).toFixed(0)} ms`);
console.log(
  `full ingest                      ${f.toFixed(0)} ms  (${(bytes / 1e6 / (f / 1000)).toFixed(1)} MB/s; ${files.length} files → ${chunks} chunks, ${errors} errors)`,
);
console.log(
  `incremental, 1 file changed      ${i.toFixed(1)} ms  (${((i / f) * 100).toFixed(2)}% of full; goal ≤ 5%)`,
);
