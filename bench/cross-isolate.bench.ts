/**
 * Cross-isolate hot reload: from a `PUT` handled by the API Worker (worker/index.ts, which hosts
 * the EventHub) to another Worker's isolate (test/fixtures/consumer-worker.ts, a
 * CachingRegistryManager over the API through a service binding) serving the new config —
 * through the Durable Object (EVENT_DRIVEN) vs through polling (POLLING at 1 s and 0.1 s).
 * All under one Miniflare (workerd), each Worker its own isolate.
 *
 *   npx tsx bench/cross-isolate.bench.ts   (env: BENCH_SAMPLES=200, BENCH_POLL_SAMPLES=20)
 *
 * One sample: PUT a new model, then read the consumer (each read a request to it) until it
 * serves that model; the time includes the PUT itself and the reads' own round trips.
 */
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../test/node/cf-bundle.ts";
import { DEV_VARS, durableObjects, migrate, STORAGE } from "../test/node/cf-worker-options.ts";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
// Under 30 s per consumer: its poll timer and hub socket live in the waitUntil of its first
// request, which workerd ends 30 s after the response (see the probe at the end).
const POLL_SAMPLES = Number(process.env.BENCH_POLL_SAMPLES ?? 20);

const bundles = await bundleWorkers({
  api: "worker/index.ts",
  consumer: "test/fixtures/consumer-worker.ts",
});
const common = { modules: true, compatibilityDate: "2026-04-01" };
const consumerWorker = (name: string) => ({
  ...common,
  name,
  scriptPath: bundles.consumer as string,
  modulesRoot: dirname(bundles.consumer as string),
  serviceBindings: { API: "api" },
  durableObjects: { EVENTS: { className: "EventHub", scriptName: "api", useSQLite: true } },
});
const mf = new Miniflare({
  workers: [
    {
      ...common,
      name: "api",
      scriptPath: bundles.api as string,
      modulesRoot: dirname(bundles.api as string),
      durableObjects: durableObjects(),
      ...STORAGE,
      ...DEV_VARS,
    },
    consumerWorker("via-hub"),
    consumerWorker("poll-1s"),
    consumerWorker("poll-100ms"),
  ],
});
await mf.ready;
await migrate(mf, "api");
const api = await mf.getWorker("api");

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

async function run(name: string, first: string, samples: number): Promise<string> {
  const consumer = await mf.getWorker(name);
  const bot = `bench-${name}`;
  const put = async (model: string): Promise<void> => {
    const res = await api.fetch(`http://api/bots/${bot}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: { llm: { model } } }),
    });
    if (!res.ok) throw new Error(`PUT ${res.status}`);
    await res.arrayBuffer();
  };
  const read = async (query = ""): Promise<string> => {
    const res = await consumer.fetch(`http://consumer/bots/${bot}${query}`);
    return ((await res.json()) as { config: { llm: { model: string } } }).config.llm.model;
  };
  await put("m0");
  if ((await read(first)) !== "m0") throw new Error("first read");
  const times: number[] = [];
  for (let i = 1; i <= samples; i++) {
    const model = `m${i}`;
    const t0 = performance.now();
    await put(model);
    while ((await read()) !== model) {
      if (performance.now() - t0 > 30_000) throw new Error(`${name}: no ${model} after 30 s`);
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  return `| ${name} | ${samples} | ${f(percentile(times, 50))} | ${f(percentile(times, 99))} | ${f(times.at(-1) as number)} |`;
}

const rows = [
  await run("via-hub", "", SAMPLES),
  await run("poll-1s", "?mode=polling&interval=1", POLL_SAMPLES),
  await run("poll-100ms", "?mode=polling&interval=0.1", POLL_SAMPLES),
];
// The probe: 35 s after the event-driven consumer's first request, does a PUT still reach it?
const probe = await mf.getWorker("via-hub");
await new Promise((r) => setTimeout(r, 35_000));
await api.fetch("http://api/bots/bench-via-hub", {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ config: { llm: { model: "late" } } }),
});
await new Promise((r) => setTimeout(r, 2000));
const late = (await (await probe.fetch("http://consumer/bots/bench-via-hub")).json()) as {
  config: { llm: { model: string } };
};
console.log(
  `35 s later, the event-driven consumer serves ${late.config.llm.model === "late" ? "the new config (still subscribed)" : `"${late.config.llm.model}" (its hub socket died with its first request's waitUntil)`}`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log("| consumer | samples | p50 | p99 | max |\n|---|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
await mf.dispose();
