/**
 * The cost of one `putFile` in a knowledge base of 1,000 files and of 100,000 files: latency and
 * what it writes to the store (operations, bytes). Goal: at 100,000 files within 2× of at 1,000.
 * Memory and the file system (FsBlobStore, durable writes); each knowledge base is filled with
 * `putFiles` in batches first (on the file system without fsync, to keep the set-up short).
 *
 *   npx tsx bench/knowledge-store.bench.ts          (BENCH_SIZES=1000,100000 BENCH_WRITES=300)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "../src/adapters/fs/index.ts";
import { BlobKnowledgeBackend, type BlobStore, MemoryBlobStore } from "../src/index.ts";
import { type Counts, counting, zero } from "./counting-store.ts";

const SIZES = (process.env.BENCH_SIZES ?? "1000,100000").split(",").map(Number);
const WRITES = Number(process.env.BENCH_WRITES ?? 300);
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

const body = (i: number): string =>
  `# Page ${i}\n\nSome text about topic ${i % 97}, with a few more words to make it a page.\n`;
// Paths spread over folders as a docs site's are: new files land all over the file list.
const pathOf = (i: number): string => `docs/section-${i % 37}/page-${(i * 7919) % 1_000_003}.md`;

interface Row {
  store: string;
  files: number;
  p50: number;
  p99: number;
  opsPerPut: number;
  bytesPerPut: number;
}

async function measure(
  name: string,
  files: number,
  make: (fill: boolean) => BlobStore,
): Promise<Row> {
  // Fill with a fast store, then measure with the store as configured.
  const filler = new BlobKnowledgeBackend({ store: make(true) });
  await filler.createKb("d");
  for (let i = 0; i < files; i += 2000) {
    const batch = [];
    for (let j = i; j < Math.min(files, i + 2000); j++)
      batch.push({ path: pathOf(j), content: body(j) });
    await filler.putFiles("d", batch);
  }
  const { store, counts } = counting(make(false));
  const kb = new BlobKnowledgeBackend({ store });
  await kb.getInfo("d"); // warm the head
  const times: number[] = [];
  const total: Counts = zero();
  for (let w = 0; w < WRITES; w++) {
    Object.assign(counts, zero());
    // Two thirds new files, one third replacements of existing ones.
    const path = w % 3 === 2 ? pathOf((w * 31) % files) : pathOf(files + w);
    const t = performance.now();
    await kb.putFile("d", path, `${body(w)}\nRevision ${w}.\n`);
    times.push(performance.now() - t);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += counts[k];
  }
  const info = await kb.getInfo("d");
  if ((info?.fileCount ?? 0) < files) throw new Error("files went missing");
  const ops = total.puts + total.deletes + total.copies + total.gets + total.heads + total.lists;
  return {
    store: name,
    files,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    opsPerPut: ops / WRITES,
    bytesPerPut: total.bytesPut / WRITES,
  };
}

const rows: Row[] = [];
for (const files of SIZES) {
  const memory = new MemoryBlobStore();
  rows.push(await measure("memory", files, () => memory));
  const root = mkdtempSync(join(tmpdir(), "botknobs-bench-kb-"));
  try {
    rows.push(await measure("file", files, (fill) => new FsBlobStore({ root, durable: !fill })));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

console.log(
  `putFile into a knowledge base of N files (${WRITES} writes each, 2/3 new files, 1/3 replacements)\n`,
);
console.log(
  "| store | files | p50 ms | p99 ms | store ops per putFile | bytes written per putFile |",
);
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows)
  console.log(
    `| ${r.store} | ${r.files.toLocaleString("en")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.opsPerPut.toFixed(1)} | ${Math.round(r.bytesPerPut).toLocaleString("en")} |`,
  );
const [small, large] = [SIZES[0], SIZES.at(-1)];
for (const store of ["memory", "file"]) {
  const a = rows.find((r) => r.store === store && r.files === small) as Row;
  const b = rows.find((r) => r.store === store && r.files === large) as Row;
  console.log(
    `${store}: ${large} vs ${small} files — p50 ${(b.p50 / a.p50).toFixed(2)}×, bytes ${(b.bytesPerPut / a.bytesPerPut).toFixed(2)}×, ops ${(b.opsPerPut / a.opsPerPut).toFixed(2)}× (goal ≤ 2×)`,
  );
}
