/**
 * Label move → a caching manager in another process serves the new version (issue 20's goal:
 * p50 < 20 ms; SDKs that poll wait out a TTL of seconds). Results: bench/RESULTS.md.
 *
 *   npx tsx bench/label-move.bench.ts   (env: MOVES=200)
 *
 * Process A is `npm start` (the API over a data folder: `FileRecordStore`, `FileEventBus`,
 * `/events` as Server-Sent Events; every version kept). This process holds a
 * `CachingRegistryManager` over `HTTPRegistryBackend` + `SSEEventBus` (topics `registry:*`), with
 * a one-hour TTL, so only the event can make it change. Per move: `PUT
 * /bots/{id}/labels/production` through A (with `If-Match`: production is protected), then
 * `manager.serve(id, { label: "production" })` every event-loop turn until it reports the new
 * version; the time from sending the PUT, and from A's answer. In the same run, as the peer, a
 * plain config `PUT /bots/{id}` and `manager.serve(id)` until it has the new version (the path
 * every cache of botknobs already took). 20 of each first to warm up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SSEEventBus } from "../src/core/events/sse-bus.ts";
import { HTTPRegistryBackend } from "../src/core/registry/http-backend.ts";
import { CachingRegistryManager, type JsonObject } from "../src/index.ts";
import { npmStart } from "../test/fixtures/npm-start.ts";

const MOVES = Number(process.env.MOVES ?? 200);
const WARM = 20;
const TOKEN = "bench-token";

class Manager extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Sends a write, then serves until `done` says the manager has it: ms from sending, from the answer. */
async function measure(
  write: () => Promise<unknown>,
  done: () => Promise<boolean>,
): Promise<[number, number]> {
  const t0 = performance.now();
  await write();
  const answered = performance.now();
  while (!(await done())) {
    if (performance.now() - t0 > 10_000) throw new Error("not served within 10 s");
    await turn();
  }
  const t1 = performance.now();
  return [t1 - t0, t1 - answered];
}

const data = mkdtempSync(join(tmpdir(), "botknobs-label-move-"));
const a = await npmStart({
  BOTKNOBS_DATA: data,
  BOTKNOBS_TOKENS: TOKEN,
  BOTKNOBS_HISTORY_LIMIT: "none",
});
const bus = new SSEEventBus({ baseUrl: a.url, authToken: TOKEN, topics: ["registry:*"] });
const manager = new Manager({
  backend: new HTTPRegistryBackend({ baseUrl: a.url, authToken: TOKEN }),
  eventBus: bus,
  cacheTtl: 3600,
});
const writer = new HTTPRegistryBackend({ baseUrl: a.url, authToken: TOKEN });
try {
  await manager.initialize();
  const id = "bench-bot";
  for (let v = 1; v <= 4; v++) await writer.register(id, { model: `m-${v}` });
  let head = (await writer.setLabel(id, "production", { version: 1 }, { ifVersion: 4 })).version;
  let target = 1;
  if ((await manager.serve(id, { label: "production" })).version !== 1) throw new Error("setup");
  const move: [number[], number[]] = [[], []];
  for (let i = 0; i < MOVES + WARM; i++) {
    target = (target % 4) + 1;
    const want = target;
    const [fromSend, fromAnswer] = await measure(
      async () => {
        head = (await writer.setLabel(id, "production", { version: want }, { ifVersion: head }))
          .version;
      },
      async () => (await manager.serve(id, { label: "production" })).version === want,
    );
    if (i >= WARM) {
      move[0].push(fromSend);
      move[1].push(fromAnswer);
    }
  }
  const plain: [number[], number[]] = [[], []];
  const other = "bench-plain";
  await writer.register(other, { n: -1 });
  await manager.serve(other);
  for (let i = 0; i < MOVES + WARM; i++) {
    let version = 0;
    const [fromSend, fromAnswer] = await measure(
      async () => {
        version = (await writer.update(other, { n: i })).version;
      },
      async () => (await manager.serve(other)).version === version,
    );
    if (i >= WARM) {
      plain[0].push(fromSend);
      plain[1].push(fromAnswer);
    }
  }
  const row = (label: string, xs: number[]): string =>
    `| ${label} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${pct(xs, 100).toFixed(1)} |`;
  console.log(
    `node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}; ${MOVES} of each after ${WARM} to warm up; manager stats ${JSON.stringify(manager.getCacheStats())}`,
  );
  console.log("| until the remote manager serves it | p50 ms | p95 ms | max ms |");
  console.log("|---|---:|---:|---:|");
  console.log(row("label move (PUT …/labels/production), from sending", move[0]));
  console.log(row("label move, from A's answer", move[1]));
  console.log(row("peer: config PUT /bots/{id}, from sending", plain[0]));
  console.log(row("peer: config PUT, from A's answer", plain[1]));
  console.log(
    `ratio label move / config PUT (p50 from sending): ${(pct(move[0], 50) / pct(plain[0], 50)).toFixed(2)}`,
  );
} finally {
  await manager.close();
  await bus.close();
  await a.stop();
  rmSync(data, { recursive: true, force: true });
}
