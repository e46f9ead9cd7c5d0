/**
 * The fresh-process half of `block-segment.bench.ts`: opens one persisted base segment from a
 * file-system store and answers the claims, one JSON line out.
 *
 *   node --expose-gc --import tsx bench/block-segment-child.ts <root> <key> <queries.json> [cacheBytes]
 *
 * Reports the memory the reader adds (after a collection, against the same process before it
 * opened), `firstMs` (open + first answer, its top 10 chunks read), `p50`/`p95` of the rest, and
 * the bytes read from the store: to open, for the first answer, and per query after it.
 */
import { readFileSync } from "node:fs";
import { FsBlobStore } from "../src/adapters/node/index.ts";
import { openSegmentReader } from "../src/core/knowledge/index/segment-reader.ts";
import { countingReads } from "../src/testing/block-segment-cases.ts";

const [root, key, queriesFile, cacheBytes] = process.argv.slice(2) as [
  string,
  string,
  string,
  string?,
];
const queries = JSON.parse(readFileSync(queriesFile, "utf8")) as string[];
const gc = (globalThis as { gc?: () => void }).gc;
const memory = (): { rss: number; heap: number; buffers: number } => {
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers };
};
const { store, reads } = countingReads(new FsBlobStore({ root }));
const before = memory();
const started = performance.now();
const reader = await openSegmentReader(
  store,
  key,
  cacheBytes ? { cacheBytes: Number(cacheBytes) } : {},
);
const openBytes = reads.bytes;
const ask = async (q: string): Promise<void> => {
  const hits = await reader.search(q, { k: 100, perSource: true });
  await Promise.all(hits.slice(0, 10).map((hit) => hit.chunk()));
};
await ask(queries[0] as string);
const firstMs = performance.now() - started;
const firstBytes = reads.bytes - openBytes;
const times: number[] = [];
const afterFirst = reads.bytes;
for (const q of queries.slice(1)) {
  const t = performance.now();
  await ask(q);
  times.push(performance.now() - t);
}
const after = memory();
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    format: reader.format,
    chunks: reader.size,
    rssMB: (after.rss - before.rss) / 1e6,
    heapMB: (after.heap - before.heap) / 1e6,
    buffersMB: (after.buffers - before.buffers) / 1e6,
    firstMs,
    p50: times[times.length >> 1],
    p95: times[Math.floor(times.length * 0.95)],
    openKB: openBytes / 1e3,
    firstKB: firstBytes / 1e3,
    perQueryKB: (reads.bytes - afterFirst) / (queries.length - 1) / 1e3,
    gets: reads.gets,
  }),
);
