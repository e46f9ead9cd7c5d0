/**
 * Resolving a label inside `getOrCreate` against a plain cache hit, in one run (issue 20's goal:
 * a split label costs at most 1.2× a plain hit). Results: bench/RESULTS.md.
 *
 *   npx tsx bench/label-split.bench.ts   (env: SPLIT_ACCESSES=50000, SPLIT_ROUNDS=41, SPLIT_CLOCK=wall|cpu)
 *
 * 1,000 bots, each with two versions, a plain label `stable` and a 90/10 split `canary`; every
 * instance cached first. Per round, the same Zipf(s = 1) sequence of bots is read three ways,
 * each call awaited as a caller would: `getOrCreate(id)` (the plain hit), `getOrCreate(id,
 * { label: "stable" })` and `getOrCreate(id, { label: "canary", key })` with a key drawn from
 * 10,000 user ids (the options object built per call, as a caller builds it; every loop reads
 * the request's key, as a server holding the request has it at hand). Each labelled run
 * sits between two plain runs and is compared with their mean (the machine's load moves both
 * alike); the median of the rounds' ratios is the result. `SPLIT_CLOCK=cpu` times each run by
 * this process's CPU time (`process.cpuUsage`, user + system) instead of the wall clock: on a
 * machine shared with other work, time spent descheduled then counts for neither side.
 */
import { loadavg } from "node:os";
import { CachingRegistryManager, InMemoryBackend, type JsonObject } from "../src/index.ts";
import { zipfSequence } from "./zipf.ts";

const BOTS = 1000;
const KEYS = 10_000;
const ACCESSES = Number(process.env.SPLIT_ACCESSES ?? 50_000);
const ROUNDS = Number(process.env.SPLIT_ROUNDS ?? 41);
const CLOCK = process.env.SPLIT_CLOCK === "cpu" ? "cpu" : "wall";

class Manager extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

const backend = new InMemoryBackend();
for (let i = 0; i < BOTS; i++) {
  const id = `bot-${i}`;
  await backend.register(id, { model: "a", i });
  await backend.register(id, { model: "b", i });
  await backend.setLabel(id, "stable", { version: 1 });
  await backend.setLabel(id, "canary", {
    split: [
      { version: 1, percent: 90 },
      { version: 2, percent: 10 },
    ],
  });
}
const manager = new Manager({ backend, cacheTtl: 3600, maxCacheSize: 10 * BOTS });
await manager.initialize();

const rand = lcg(42);
const ids = zipfSequence(BOTS, ACCESSES, 42, rand);
const keyPool = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const keys = Array.from({ length: ACCESSES }, () => keyPool[Math.floor(rand() * KEYS)] as string);

// Warm every path: the plain instance, the stable one, and both versions of every canary.
for (let i = 0; i < BOTS; i++) {
  const id = `bot-${i}`;
  await manager.getOrCreate(id);
  await manager.getOrCreate(id, { label: "stable" });
  for (const key of keyPool.slice(0, 200)) await manager.getOrCreate(id, { label: "canary", key });
}
const warm = manager.getCacheStats();

let sink = 0;
const runs: Record<string, () => Promise<void>> = {
  // Every request carries its user's key; only the split reads it, but each loop touches it,
  // as a server holding the request would have it at hand.
  plain: async () => {
    for (let i = 0; i < ACCESSES; i++) {
      sink += (keys[i] as string).length;
      await manager.getOrCreate(ids[i] as string);
    }
  },
  label: async () => {
    for (let i = 0; i < ACCESSES; i++) {
      sink += (keys[i] as string).length;
      await manager.getOrCreate(ids[i] as string, { label: "stable" });
    }
  },
  split: async () => {
    for (let i = 0; i < ACCESSES; i++)
      await manager.getOrCreate(ids[i] as string, { label: "canary", key: keys[i] as string });
  },
};
/** The run's time in ms: the wall clock, or this process's CPU time (SPLIT_CLOCK=cpu). */
const time = async (name: string): Promise<number> => {
  const t = performance.now();
  const c = process.cpuUsage();
  await (runs[name] as () => Promise<void>)();
  if (CLOCK === "wall") return performance.now() - t;
  const used = process.cpuUsage(c);
  return (used.user + used.system) / 1000;
};
// Each labelled run sits between two plain runs; its ratio is to their mean, so a load that
// changes during the run (other work on the machine) moves both sides of each ratio alike.
const ratios: Record<string, number[]> = { label: [], split: [] };
const rates: Record<string, number[]> = { plain: [], label: [], split: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ["split", "label"] : ["label", "split"]) {
    const before = await time("plain");
    const ms = await time(name);
    const after = await time("plain");
    (ratios[name] as number[]).push(ms / ((before + after) / 2));
    (rates[name] as number[]).push(ACCESSES / (ms / 1000));
    (rates.plain as number[]).push(ACCESSES / (before / 1000), ACCESSES / (after / 1000));
  }
}
const stats = manager.getCacheStats();
console.log(
  `node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}, ${CLOCK} clock: ${BOTS} bots, ${fmt(ACCESSES)} Zipf accesses per run, ${KEYS} keys, ${ROUNDS} rounds; ${stats.creations - warm.creations} creations and ${stats.misses - warm.misses} misses during the rounds`,
);
console.log(
  `| getOrCreate | ${CLOCK === "cpu" ? "calls per CPU second" : "ops/s"} (median) | time per call / the plain hit beside it (median, min–max) |`,
);
console.log("|---|---:|---:|");
console.log(`| \`(id)\` — plain hit | ${fmt(median(rates.plain as number[]))} | 1 |`);
for (const name of ["label", "split"]) {
  const xs = ratios[name] as number[];
  console.log(
    `| ${name === "label" ? '`(id, { label: "stable" })`' : '`(id, { label: "canary", key })` — 90/10 split'} | ${fmt(median(rates[name] as number[]))} | **${median(xs).toFixed(2)}×** (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}) |`,
  );
}
if (sink < 0) console.log(sink);
await manager.close();
