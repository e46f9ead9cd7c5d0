/**
 * Block segments (issue 18, first step): one scope's base segment read by range against the
 * same base read whole, in the same run. SciFact copied `COPIES` times (default 5, ≈ 100k
 * chunks) is ingested through the public API into a `BlobSearchIndex` over `FsBlobStore` (which
 * writes its base, format 1); the same scope is written again as a block segment (format 2).
 * Then a fresh Node process per layout opens the segment and answers 200 claims (k 100, one
 * chunk per source, the top 10 chunks read): memory added, first answer, p50/p95, bytes read.
 *
 *   npx tsx bench/block-segment.bench.ts            (COPIES=5 BENCH_RUNS=3)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "../src/adapters/node/index.ts";
import { encodeBlockBase } from "../src/core/knowledge/index/block-segment.ts";
import { decodeSegment, stateFromBase } from "../src/core/knowledge/index/segment.ts";
import { readAll } from "../src/core/util/streams.ts";
import { BlobSearchIndex, RAGKnowledgeBase } from "../src/index.ts";
import { loadScifact } from "./scifact.ts";

const COPIES = Number(process.env.COPIES ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CACHE = process.env.CACHE_BYTES ?? String(8 << 20);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const tmp = mkdtempSync(join(tmpdir(), "botknobs-bench-blocks-"));

try {
  const { corpus, queries } = loadScifact();
  const store = new FsBlobStore({ root: tmp });
  const kb = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
  const built = performance.now();
  const update = await kb.beginUpdate("scifact");
  for (let copy = 0; copy < COPIES; copy++)
    for (const d of corpus)
      await update.putFile(`c${copy}/${d.id}.md`, `# ${d.title}\n\n${d.text}`);
  await update.commit();
  const buildMs = performance.now() - built;
  // The base the index wrote, and the same scope as a block segment.
  const keys: { key: string; size: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...(cursor ? { cursor } : {}) });
    for (const o of page.objects)
      if (o.key.endsWith(".seg")) keys.push({ key: o.key, size: o.size });
    cursor = page.cursor;
  } while (cursor);
  if (keys.length !== 1) throw new Error(`expected one base segment, found ${keys.length}`);
  const whole = keys[0] as { key: string; size: number };
  const body = await store.get(whole.key);
  const segment = await decodeSegment(await readAll(body?.body as ReadableStream<Uint8Array>));
  const state = stateFromBase("scifact", segment);
  const blocks = await encodeBlockBase(state);
  const blocksKey = whole.key.replace(/\.seg$/, ".blocks.seg");
  await store.put(blocksKey, blocks);
  const queryFile = join(tmp, "queries.json");
  writeFileSync(queryFile, JSON.stringify(queries.slice(0, 200).map((q) => q.text)));

  // Fresh processes, the median of each number over them.
  const child = (key: string): Record<string, number> => {
    const args = ["--expose-gc", "--import", "tsx", "bench/block-segment-child.ts"];
    const lines: Record<string, number>[] = [];
    for (let run = 0; run < RUNS; run++) {
      const out = execFileSync(process.execPath, [...args, tmp, key, queryFile, CACHE], {
        encoding: "utf8",
      });
      lines.push(JSON.parse(out) as Record<string, number>);
    }
    const out: Record<string, number> = {};
    for (const name of Object.keys(lines[0] as object))
      out[name] = median(lines.map((r) => r[name] as number));
    return out;
  };
  const old = child(whole.key);
  const now = child(blocksKey);
  const f = (n: number | undefined, d = 1): string => (n ?? Number.NaN).toFixed(d);
  console.log(
    `SciFact × ${COPIES}: ${state.liveCount} chunks, built through the public API in ${(buildMs / 1000).toFixed(1)} s; ` +
      `format 1 ${(whole.size / 1e6).toFixed(1)} MB, block segment ${(blocks.length / 1e6).toFixed(1)} MB; ` +
      `block cache ${(Number(CACHE) / 2 ** 20).toFixed(1)} MiB; median of ${RUNS} fresh processes each`,
  );
  console.log(
    "| layout | rss added | heap + buffers added | first answer | p50 | p95 | read to open | read, first answer | read per query after |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [name, r] of [
    ["format 1, read whole", old],
    ["block segment, by range", now],
  ] as const)
    console.log(
      `| ${name} | ${f(r.rssMB)} MB | ${f(r.heapMB)} + ${f(r.buffersMB)} MB | ${f(r.firstMs, 0)} ms | ${f(r.p50, 2)} ms | ${f(r.p95, 2)} ms | ${f(r.openKB, 0)} KB | ${f(r.firstKB, 0)} KB | ${f(r.perQueryKB, 0)} KB |`,
    );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
