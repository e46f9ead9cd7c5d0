/**
 * Chunking throughput, side by side with LangChain's MarkdownTextSplitter in one run, on the real
 * docs corpus (/work/shared/data/docs-corpus.tar.gz, extracted to a temp dir on first use).
 *
 *   npx tsx bench/chunk.bench.ts
 *
 * 1. chunkMarkdown vs MarkdownTextSplitter (chunkSize 500, chunkOverlap 50) over every markdown
 *    file of the corpus: median of RUNS runs after one warm-up, MB/s of input, and the ratio.
 * 2. The full path, chunkFile (decode + transform + chunk), over every file of the corpus, by
 *    type, with the error count (expected 0). Plus the markdown files gzipped in memory (.md.gz),
 *    to time the capped gunzip too.
 */
import { MarkdownTextSplitter } from "@langchain/textsplitters";
import { gzipSync } from "fflate";
import { chunkFile, chunkMarkdown, detectFileType } from "../src/core/knowledge/chunk/index.ts";
import { docsCorpus } from "../test/fixtures/data.ts";

const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

const mbps = (bytes: number, ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(1);

async function time(fn: () => Promise<number> | number): Promise<{ ms: number; out: number }> {
  const t = performance.now();
  const out = await fn();
  return { ms: performance.now() - t, out };
}

const files = docsCorpus();
console.log(
  `docs corpus: ${files.length} files, ${files.reduce((a, f) => a + f.bytes.length, 0)} bytes\n`,
);

// 1. Markdown chunking, ours vs LangChain, on the same decoded strings.
const markdown = files.filter((f) => detectFileType(f.path)?.kind === "markdown");
const texts = markdown.map((f) => new TextDecoder().decode(f.bytes));
const mdBytes = markdown.reduce((a, f) => a + f.bytes.length, 0);
const splitter = new MarkdownTextSplitter({ chunkSize: 500, chunkOverlap: 50 });
const ours = async (): Promise<number> => {
  let n = 0;
  for (const t of texts)
    n += (await chunkMarkdown(t, { maxChunkSize: 500, chunkOverlap: 50 })).chunks.length;
  return n;
};
const theirs = async (): Promise<number> => {
  let n = 0;
  for (const t of texts) n += (await splitter.splitText(t)).length;
  return n;
};
await ours();
await theirs();
const oursMs: number[] = [];
const theirsMs: number[] = [];
let oursChunks = 0;
let theirsChunks = 0;
for (let r = 0; r < RUNS; r++) {
  const a = await time(ours);
  const b = await time(theirs);
  oursMs.push(a.ms);
  theirsMs.push(b.ms);
  oursChunks = a.out;
  theirsChunks = b.out;
}
const ourMedian = median(oursMs);
const theirMedian = median(theirsMs);
console.log(
  `## Markdown chunking: ${markdown.length} files, ${mdBytes} bytes, median of ${RUNS} runs\n`,
);
console.log("| splitter | median ms | MB/s | chunks |");
console.log("|---|---:|---:|---:|");
console.log(
  `| botknobs chunkMarkdown | ${ourMedian.toFixed(0)} | ${mbps(mdBytes, ourMedian)} | ${oursChunks} |`,
);
console.log(
  `| LangChain MarkdownTextSplitter | ${theirMedian.toFixed(0)} | ${mbps(mdBytes, theirMedian)} | ${theirsChunks} |`,
);
console.log(`\nratio (ours / LangChain throughput): ${(theirMedian / ourMedian).toFixed(2)}x\n`);

// 2. The full path by type: bytes -> markdown -> chunks.
const groups = new Map<string, { path: string; bytes: Uint8Array }[]>();
for (const f of files) {
  const type = detectFileType(f.path);
  const key = type === null ? "unsupported" : type.kind;
  groups.set(key, [...(groups.get(key) ?? []), f]);
}
groups.set(
  "markdown.gz (md files gzipped in memory)",
  markdown.map((f) => ({ path: `${f.path}.gz`, bytes: gzipSync(f.bytes) })),
);
console.log(`## Full path (chunkFile: decode + transform + chunk), median of ${RUNS} runs\n`);
console.log("| type | files | bytes | median ms | MB/s | chunks | errors |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
let totalErrors = 0;
for (const [kind, group] of groups) {
  const bytes = group.reduce((a, f) => a + f.bytes.length, 0);
  const errors: string[] = [];
  const run = async (): Promise<number> => {
    let n = 0;
    for (const f of group) {
      try {
        n += (await chunkFile(f.path, f.bytes))?.chunks.length ?? 0;
      } catch (e) {
        errors.push(`${f.path}: ${(e as Error).message}`);
      }
    }
    return n;
  };
  await run();
  const ms: number[] = [];
  let chunks = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = await time(run);
    ms.push(t.ms);
    chunks = t.out;
  }
  const fileErrors = errors.length / (RUNS + 1);
  totalErrors += fileErrors;
  const m = median(ms);
  console.log(
    `| ${kind} | ${group.length} | ${bytes} | ${m.toFixed(1)} | ${mbps(bytes, m)} | ${chunks} | ${fileErrors} |`,
  );
  for (const e of errors.slice(0, fileErrors)) console.log(`  error: ${e}`);
}
console.log(`\nerrors on the real corpus: ${totalErrors}`);
