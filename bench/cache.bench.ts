/**
 * Caching benchmarks, side by side with lru-cache 11 in one run (results: bench/RESULTS.md).
 *
 *   npx tsx bench/cache.bench.ts
 *
 * 1. Hot hits: `getOrCreate` vs lru-cache `fetch()` on 1,000 cached ids with Zipf-skewed access.
 * 2. Sync hits: `peek` vs lru-cache `get`.
 * 3. Cold stampede: 1,000 concurrent `getOrCreate` on a cold id — creations and latency.
 * 4. Invalidation: memory-bus `publish` → next `getOrCreate` returns the new instance (µs).
 */
import { LRUCache } from "lru-cache";
import {
  CachingRegistryManager,
  Event,
  EventType,
  InMemoryBackend,
  InMemoryEventBus,
  type JsonObject,
} from "../src/index.ts";
import { zipfSequence } from "./zipf.ts";

const IDS = 1000;
const ACCESSES = 1_000_000;
const ROUNDS = 7;

interface Bot {
  id: string;
  config: JsonObject;
}

class Manager extends CachingRegistryManager<Bot> {
  creations = 0;
  protected createInstance(id: string, config: JsonObject): Bot {
    this.creations++;
    return { id, config };
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const sequence = zipfSequence(IDS, ACCESSES);
  const backend = new InMemoryBackend();
  for (let i = 0; i < IDS; i++) await backend.register(`bot-${i}`, { model: "m", i });
  const manager = new Manager({ backend, cacheTtl: 3600, maxCacheSize: IDS });
  await manager.initialize();
  const lru = new LRUCache<string, Bot>({
    max: IDS,
    ttl: 3_600_000,
    fetchMethod: async (id) => ({ id, config: (await backend.peekConfig(id)) ?? {} }),
  });
  for (let i = 0; i < IDS; i++) {
    await manager.getOrCreate(`bot-${i}`);
    await lru.fetch(`bot-${i}`);
  }

  console.log(
    `node ${process.version}, ${IDS} cached ids, ${fmt(ACCESSES)} Zipf-skewed accesses per round, median of ${ROUNDS} rounds\n`,
  );

  // 1. async hits, alternating which runs first in each round
  const ours: number[] = [];
  const theirs: number[] = [];
  const runOurs = async (): Promise<void> => {
    const t = performance.now();
    for (let i = 0; i < ACCESSES; i++) await manager.getOrCreate(sequence[i] as string);
    ours.push(ACCESSES / ((performance.now() - t) / 1000));
  };
  const runTheirs = async (): Promise<void> => {
    const t = performance.now();
    for (let i = 0; i < ACCESSES; i++) await lru.fetch(sequence[i] as string);
    theirs.push(ACCESSES / ((performance.now() - t) / 1000));
  };
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      await runOurs();
      await runTheirs();
    } else {
      await runTheirs();
      await runOurs();
    }
  }
  const hitRatio = median(ours) / median(theirs);
  console.log("1. hot hits (async)");
  console.log(`   botknobs getOrCreate  ${fmt(median(ours))} ops/s`);
  console.log(`   lru-cache fetch       ${fmt(median(theirs))} ops/s`);
  console.log(`   ratio                 ${hitRatio.toFixed(2)}× (goal ≥ 1.0×)\n`);

  // 2. sync hits
  const peekOurs: number[] = [];
  const getTheirs: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (let i = 0; i < ACCESSES; i++) if (manager.peek(sequence[i] as string)) sink++;
    peekOurs.push(ACCESSES / ((performance.now() - t) / 1000));
    t = performance.now();
    for (let i = 0; i < ACCESSES; i++) if (lru.get(sequence[i] as string)) sink++;
    getTheirs.push(ACCESSES / ((performance.now() - t) / 1000));
  }
  console.log("2. sync hits");
  console.log(`   botknobs peek         ${fmt(median(peekOurs))} ops/s`);
  console.log(`   lru-cache get         ${fmt(median(getTheirs))} ops/s`);
  console.log(
    `   ratio                 ${(median(peekOurs) / median(getTheirs)).toFixed(2)}×  (sink ${sink > 0})\n`,
  );

  // 3. cold stampede: 1,000 concurrent callers on a cold id, 50 different ids
  const stampede: number[] = [];
  const lruStampede: number[] = [];
  let maxCreations = 0;
  for (let s = 0; s < 50; s++) {
    const id = `cold-${s}`;
    await backend.register(id, { s });
    const cold = new Manager({ backend, cacheTtl: 3600 });
    let t = performance.now();
    const bots = await Promise.all(Array.from({ length: 1000 }, () => cold.getOrCreate(id)));
    stampede.push(performance.now() - t);
    maxCreations = Math.max(maxCreations, cold.creations);
    if (!bots.every((b) => b === bots[0])) throw new Error("stampede returned different instances");
    await cold.close();
    const coldLru = new LRUCache<string, Bot>({
      max: 10,
      fetchMethod: async (k) => ({ id: k, config: (await backend.peekConfig(k)) ?? {} }),
    });
    t = performance.now();
    await Promise.all(Array.from({ length: 1000 }, () => coldLru.fetch(id)));
    lruStampede.push(performance.now() - t);
  }
  console.log("3. cold stampede (1,000 concurrent calls on one cold id, 50 ids)");
  console.log(`   creations per id      ${maxCreations} (max over 50 ids)`);
  console.log(
    `   botknobs latency      p50 ${median(stampede).toFixed(3)} ms, p99 ${pct(stampede, 99).toFixed(3)} ms (until all 1,000 resolved)`,
  );
  console.log(
    `   lru-cache fetch       p50 ${median(lruStampede).toFixed(3)} ms, p99 ${pct(lruStampede, 99).toFixed(3)} ms\n`,
  );

  // 4. invalidation: publish → next getOrCreate returns the new instance
  const bus = new InMemoryEventBus();
  const live = new InMemoryBackend();
  await live.register("hot", { v: 0 });
  const subscribed = new Manager({ backend: live, eventBus: bus, cacheTtl: 3600 });
  await subscribed.initialize();
  const latencies: number[] = [];
  let previous = await subscribed.getOrCreate("hot");
  for (let i = 1; i <= 20_000; i++) {
    const t = performance.now();
    await bus.publish(
      "registry:bots",
      new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: "hot" } }),
    );
    const next = await subscribed.getOrCreate("hot");
    const dt = performance.now() - t;
    if (next === previous) throw new Error("invalidation did not produce a new instance");
    previous = next;
    if (i > 2000) latencies.push(dt * 1000);
  }
  console.log(
    "4. invalidation (memory bus publish → next getOrCreate returns a new instance; 18,000 samples)",
  );
  console.log(`   p50 ${median(latencies).toFixed(1)} µs, p99 ${pct(latencies, 99).toFixed(1)} µs`);
  await subscribed.close();
  await manager.close();
}

await main();
