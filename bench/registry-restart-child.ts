/**
 * A child of `bench/registry-restart.bench.ts`, run on the code tree `<root>` (its `src/`):
 *   write <root> <dir> <bots> <versions> <limit|none>: fills a registry folder through
 *     StoreRegistryBackend (as the API does), 10 KB configs; prints {"ms": …}.
 *   read <root> <dir> <limit|none> <bot>: opens it as a restarted server does and answers the
 *     first read; prints {"openMs", "rssMb", "heapMb", "historyMs"} (RSS after a GC: run it with
 *     --expose-gc).
 */
import type { JsonObject } from "../src/index.ts";

type Fs = typeof import("../src/adapters/fs/fs-record-store.ts");
type Registry = typeof import("../src/core/registry/store-backend.ts");

const [mode, root, dir = "", ...rest] = process.argv.slice(2) as string[];
// The tree under test's own code (this tree's, or another's: its types are the same shape).
const { FileRecordStore } = (await import(`${root}/src/adapters/fs/fs-record-store.ts`)) as Fs;
const { StoreRegistryBackend } = (await import(
  `${root}/src/core/registry/store-backend.ts`
)) as Registry;

const limitOf = (arg: string | undefined): number | undefined =>
  arg === undefined || arg === "none" ? undefined : Number(arg);

/** A 10 KB config, different for every version (so nothing compresses or dedupes it). */
function config(bot: number, version: number): JsonObject {
  const words: string[] = [];
  let seed = bot * 100_003 + version;
  while (words.length < 1400) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    words.push(seed.toString(36).slice(0, 6));
  }
  return { model: "claude-3-sonnet", temperature: 0.2, version, prompt: words.join(" ") };
}

if (mode === "write") {
  const [bots, versions, limit] = [Number(rest[0]), Number(rest[1]), limitOf(rest[2])];
  const backend = new StoreRegistryBackend({
    store: new FileRecordStore({ path: dir, sync: false }),
    historyLimit: limit,
  });
  await backend.initialize();
  const started = performance.now();
  for (let v = 1; v <= versions; v++)
    for (let b = 0; b < bots; b++) await backend.register(`bot-${b}`, config(b, v));
  process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
} else {
  const gc = (globalThis as { gc?: () => void }).gc;
  const started = performance.now();
  const backend = new StoreRegistryBackend({
    store: new FileRecordStore({ path: dir }),
    historyLimit: limitOf(rest[0]),
  });
  const first = await backend.get(rest[1] as string);
  const openMs = performance.now() - started;
  if (!first) throw new Error(`${rest[1]} not found`);
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const t = performance.now();
  const page = await backend.history(rest[1] as string, { limit: 20 });
  const historyMs = performance.now() - t;
  if (page.items.length === 0) throw new Error("no history");
  process.stdout.write(
    JSON.stringify({ openMs, rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20, historyMs }),
  );
}
