/**
 * The Worker's cold start in workerd: a fresh Miniflare per round running the bundle of
 * worker/index.ts (as test/node/cf-bundle.ts builds it, unminified); times from `new Miniflare`
 * to ready (workerd started, the script evaluated), the first request (the isolate builds its
 * app: `GET /bots`), and the next one.
 *
 *   npx tsx bench/worker-cold-start.bench.ts   (env: BENCH_ROUNDS=7)
 */
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../test/node/cf-bundle.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const { api } = await bundleWorkers({ api: "worker/index.ts" });
const rows: { ready: number; first: number; second: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  const mf = new Miniflare({
    modules: true,
    compatibilityDate: "2026-04-01",
    scriptPath: api as string,
    modulesRoot: dirname(api as string),
    durableObjects: { EVENTS: { className: "EventHub", useSQLite: true } },
  });
  await mf.ready;
  const t1 = performance.now();
  const first = await mf.dispatchFetch("http://worker/bots");
  await first.arrayBuffer();
  const t2 = performance.now();
  const second = await mf.dispatchFetch("http://worker/bots");
  await second.arrayBuffer();
  const t3 = performance.now();
  rows.push({ ready: t1 - t0, first: t2 - t1, second: t3 - t2 });
  await mf.dispose();
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const f = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; ${ROUNDS} rounds, medians:`,
);
console.log(`| Miniflare ready | first request | second request |\n|---:|---:|---:|`);
console.log(
  `| ${f(median(rows.map((r) => r.ready)))} | ${f(median(rows.map((r) => r.first)))} | ${f(median(rows.map((r) => r.second)))} |`,
);
