/**
 * S3 transfers of a 50 MB file, streamed (issue 17): upload and download through `S3BlobStore`
 * against s3rver on loopback (test/fixtures/s3-server.mjs), beside the raw `aws4fetch` call the
 * store is built on, in the same run. Measured per transfer, each in a fresh process
 * (bench/s3-transfer-child.ts): throughput, and the growth of the process's RSS over its
 * baseline (peak, sampled every 5 ms) — and, in runs of their own with a full GC before each
 * sample (every 50 ms), the growth of the live memory (V8 heap used + array buffers): what the
 * transfer holds, apart from garbage waiting for a collection and the room the young generation
 * and the allocator keep once grown, which RSS counts. Goal: RSS growth < 0.5× the file. Each
 * figure is the median of `BENCH_RUNS` (3); the two implementations alternate which goes first.
 *
 *   npx tsx bench/s3-transfer.bench.ts          (BENCH_MB=50 BENCH_RUNS=3; BENCH_NODE_FLAGS
 *                                               are given to each transfer's process)
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createBucket } from "../test/fixtures/s3-buckets.ts";
import { startS3Server } from "../test/fixtures/s3-server.ts";

const MB = Number(process.env.BENCH_MB ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const here = resolve(import.meta.dirname, "..");
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

// A file of pseudo-random bytes (nothing in the path compresses it), and its SHA-256.
const tmp = mkdtempSync(join(tmpdir(), "botknobs-bench-s3-"));
const file = join(tmp, "file.bin");
const size = MB * 1_000_000;
const digest = createHash("sha256");
await new Promise<void>((done, fail) => {
  const out = createWriteStream(file).on("error", fail).on("finish", done);
  let seed = 42;
  for (let written = 0; written < size; ) {
    const chunk = Buffer.alloc(Math.min(1 << 20, size - written));
    for (let i = 0; i < chunk.length; i += 4) {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      chunk.writeUInt32LE(seed, i);
    }
    digest.update(chunk);
    out.write(chunk);
    written += chunk.length;
  }
  out.end();
});
const expected = digest.digest("hex");

const server = await startS3Server();
const bucket = await createBucket(server.endpoint);
const loadBefore = loadavg()[0] as number;

interface Result {
  ms: number;
  rssGrowthMb: number;
  liveGrowthMb: number;
  sha256?: string;
}
function child(args: string[], collect = false): Result {
  const out = execFileSync(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean),
      "--import",
      "tsx",
      "--expose-gc",
      join(here, "bench/s3-transfer-child.ts"),
      ...args,
    ],
    {
      cwd: here,
      encoding: "utf8",
      maxBuffer: 1 << 20,
      env: { ...process.env, BENCH_GC: collect ? "1" : "0" },
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1) as string) as Result;
}

const impls = ["botknobs", "aws4fetch"] as const;
const results: Record<string, Result[]> = {};
const record = (name: string, result: Result): void => {
  results[name] = [...(results[name] ?? []), result];
};
for (let run = 0; run < RUNS; run++) {
  // The floor: the file read as the uploads read it and hashed, nothing sent.
  for (const collect of [false, true])
    record(
      `read floor ${collect}`,
      child(["read", "none", server.endpoint, bucket, "none", file], collect),
    );
  const order = run % 2 === 0 ? impls : [...impls].reverse();
  for (const impl of order) {
    const key = `bench/${impl}/file ${run}.bin`;
    for (const collect of [false, true]) {
      const up = child(["upload", impl, server.endpoint, bucket, key, file], collect);
      record(`upload ${impl} ${collect}`, up);
      const down = child(["download", impl, server.endpoint, bucket, key, String(size)], collect);
      if (down.sha256 !== expected) throw new Error(`${impl}: the download is not the file`);
      record(`download ${impl} ${collect}`, down);
    }
  }
}
await server.stop();
rmSync(tmp, { recursive: true, force: true });

console.log(
  `\n${MB} MB file, ${RUNS} runs, median; load average ${loadBefore.toFixed(2)} → ${loadavg()[0]?.toFixed(2)}\n`,
);
const fileMb = size / 2 ** 20;
console.log(
  "| transfer | implementation | MB/s | RSS growth, MB (× the file) | live memory growth, MB (× the file) |",
);
console.log("|---|---|---:|---:|---:|");
for (const [what, list] of [
  ["read", ["floor"]],
  ["upload", impls],
  ["download", impls],
] as const)
  for (const impl of list) {
    const plain = results[`${what} ${impl} false`] as Result[];
    const held = results[`${what} ${impl} true`] as Result[];
    const seconds = median(plain.map((r) => r.ms)) / 1000;
    const growth = median(plain.map((r) => r.rssGrowthMb));
    const kept = median(held.map((r) => r.liveGrowthMb));
    console.log(
      `| ${what} | ${impl === "botknobs" ? "`S3BlobStore`" : impl === "floor" ? "none: the file read and hashed, no transfer" : "raw `aws4fetch`"} | ${(MB / seconds).toFixed(1)} | ${growth.toFixed(1)} (${(growth / fileMb).toFixed(2)}×) | ${kept.toFixed(1)} (${(kept / fileMb).toFixed(2)}×) |`,
    );
  }
