/**
 * A child of `bench/s3-transfer.bench.ts`: one transfer of a file through S3, in a fresh process
 * so its memory is its own. Run with --expose-gc.
 *   upload <impl> <endpoint> <bucket> <key> <file>: streams the file up with its length.
 *   download <impl> <endpoint> <bucket> <key> <size>: streams the object down, hashing it.
 *   read <impl> <endpoint> <bucket> <key> <file>: no transfer — reads the file as an upload
 *   does and hashes it (the harness's own memory, the floor under both implementations).
 * `impl` is `botknobs` (S3BlobStore) or `aws4fetch` (the raw signed fetch it is built on).
 * Prints {"ms", "rssGrowthMb", "sha256"?}: the RSS growth is the peak sampled every 5 ms during
 * the transfer over the RSS before it (after a GC, with everything loaded and one request sent).
 * With BENCH_GC=1 each sample (every 50 ms) follows a full GC, and "liveGrowthMb" is the peak of
 * the live memory (V8 heap used + array buffers) over its baseline: what the transfer holds,
 * without the chunks already sent or hashed that wait for a collection, nor the young
 * generation's and the allocator's room (which RSS keeps once grown).
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import { AwsClient } from "aws4fetch";
import { S3BlobStore } from "../src/adapters/s3/index.ts";
import { encodeKey } from "../src/adapters/s3/s3-client.ts";

const [mode, impl, endpoint = "", bucket = "", key = "", arg = ""] = process.argv.slice(2);
const keys = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: "us-east-1" };
const store = new S3BlobStore({ endpoint, bucket, ...keys, conditionalWrites: false });
const aws = new AwsClient({ ...keys, service: "s3", retries: 0 });
const url = `${endpoint}/${bucket}/${encodeKey(key)}`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// Everything loaded and one request made before the baseline.
await store.head(key);
await (
  await aws.fetch(`${endpoint}/${bucket}/${encodeKey(key)}`, { method: "HEAD" })
).body?.cancel();
gc();
const before = process.memoryUsage.rss();
let peak = before;
const live = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const liveBefore = live();
let livePeak = liveBefore;
const collect = process.env.BENCH_GC === "1";
const sampler = setInterval(
  () => {
    if (collect) {
      gc();
      livePeak = Math.max(livePeak, live());
    }
    peak = Math.max(peak, process.memoryUsage.rss());
  },
  collect ? 50 : 5,
);

/**
 * The file as a pull stream: 64 KiB read when the consumer asks, nothing read ahead. (Node 20's
 * `Readable.toWeb(createReadStream())` reads ahead without bound — 35 MB of a 50 MB file held —
 * which would be measured here instead of the transfer.)
 */
async function file(): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(arg);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = new Uint8Array(64 * 1024);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead > 0) controller.enqueue(chunk.subarray(0, bytesRead));
        else {
          await handle.close();
          controller.close();
        }
      },
      cancel: () => handle.close(),
    },
    { highWaterMark: 0 },
  );
}
const started = performance.now();
let sha256: string | undefined;
if (mode === "read") {
  // No transfer: the file read as the uploads read it, and hashed — the harness's own floor.
  const hash = createHash("sha256");
  for await (const chunk of (await file()) as unknown as AsyncIterable<Uint8Array>)
    hash.update(chunk);
  sha256 = hash.digest("hex");
} else if (mode === "upload") {
  const size = statSync(arg).size;
  if (impl === "botknobs") await store.put(key, await file(), { size });
  else {
    const res = await aws.fetch(url, {
      method: "PUT",
      body: await file(),
      headers: { "content-length": String(size) },
      duplex: "half",
    } as RequestInit);
    if (!res.ok) throw new Error(`PUT: HTTP ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  }
} else {
  const body =
    impl === "botknobs"
      ? (await store.get(key))?.body
      : ((await aws.fetch(url)).body as ReadableStream<Uint8Array> | null);
  if (!body) throw new Error(`GET ${key}: missing`);
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  if (bytes !== Number(arg)) throw new Error(`GET ${key}: ${bytes} of ${arg} bytes`);
  sha256 = hash.digest("hex");
}
const ms = performance.now() - started;
clearInterval(sampler);
if (!collect) peak = Math.max(peak, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    ms,
    rssGrowthMb: (peak - before) / 2 ** 20,
    liveGrowthMb: (livePeak - liveBefore) / 2 ** 20,
    sha256,
  }),
);
