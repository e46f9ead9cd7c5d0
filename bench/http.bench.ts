/**
 * HTTP API benchmark: the app on Node (@hono/node-server) over loopback, measured with wrk.
 *
 *   npx tsx bench/http.bench.ts   (env: BENCH_SECONDS=10, BENCH_ROUNDS=3, BENCH_PUTS=200)
 *
 * 1. `GET /bots/{id}` among 1,000 registered bots beside a bare Hono "hello" route served the same
 *    way in the same run, each pair driven by the same wrk invocation: one fixed path without a
 *    script (`/hello` vs `/bots/bot-0001`), and random ids through one Lua script (`/bots/:id`
 *    answering "hello" vs the API). The overhead ratio is hello/bots requests/s per pair; the
 *    unmatched pair of earlier runs (hello without a script vs random ids with it) is reported too.
 * 2. The 304 path: conditional `GET /bots` (`If-None-Match` = the current revision) with 1,000
 *    bots, next to the full listing it saves.
 * 3. Event propagation: N sequential `PUT`s through the API; time from the PUT until a
 *    CachingRegistryManager over HTTPRegistryBackend + SSEEventBus (then WebSocketEventBus) no
 *    longer holds the bot.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { WebSocket } from "ws";
import { upgradeWebSocket } from "../src/adapters/node/index.ts";
import { SSEEventBus } from "../src/core/events/sse-bus.ts";
import { WebSocketEventBus } from "../src/core/events/ws-bus.ts";
import { HTTPRegistryBackend } from "../src/core/registry/http-backend.ts";
import {
  CachingRegistryManager,
  type EventBus,
  InMemoryBackend,
  InMemoryEventBus,
  type JsonObject,
} from "../src/index.ts";
import { createApp } from "../src/server/index.ts";
import { listen } from "../test/fixtures/http-serve.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PUTS = Number(process.env.BENCH_PUTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BOTS = 1000;
const CONFIG: JsonObject = {
  llm: { provider: "anthropic", model: "claude-3-sonnet", temperature: 0.2 },
  memory: { type: "buffer", max_messages: 10 },
  knowledge: { domain: "support", k: 5 },
};

interface WrkResult {
  command: string;
  rps: number;
  /** CPU time of this process (the server; wrk is a child and not counted) per request, in µs. */
  cpuPerRequest: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

/** Runs wrk as a child process (never blocking this event loop, which serves the requests). */
function wrk(args: string[]): Promise<WrkResult> {
  const command = `wrk ${args.map((a) => (/[\s"'$]/.test(a) ? `'${a}'` : a)).join(" ")}`;
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const child = spawn("wrk", args);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}\n${out}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "");
      const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "");
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const cpu = process.cpuUsage(cpu0);
      resolve({
        command,
        rps,
        cpuPerRequest: (cpu.user + cpu.system) / requests,
        p50,
        p99,
        non2xx,
      });
    });
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

class Manager extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

async function main(): Promise<void> {
  const bus = new InMemoryEventBus();
  const registry = new InMemoryBackend({ eventBus: bus });
  for (let i = 0; i < BOTS; i++)
    await registry.register(`bot-${String(i).padStart(4, "0")}`, { ...CONFIG, i });
  const api = await listen(createApp({ registry, eventBus: bus, upgradeWebSocket }));
  const authed = await listen(createApp({ registry, auth: { tokens: ["bench-token"] } }));
  const hello = new Hono();
  hello.get("/hello", (c) => c.text("hello"));
  // The least any HTTP front of this registry pays: one Hono route, registry.get, the JSON.
  hello.get("/bots/:id", async (c) => {
    const reg = await registry.get(c.req.param("id"));
    return reg ? c.json(reg.toDict(), 200, { ETag: `"${reg.etag}"` }) : c.notFound();
  });
  const bare = await listen(hello);
  // "hello" on the API's path shape, for the script-driven pair.
  const helloParam = new Hono();
  helloParam.get("/bots/:id", (c) => c.text("hello"));
  const bareParam = await listen(helloParam);

  const dir = mkdtempSync(join(tmpdir(), "botknobs-bench-"));
  const script = join(dir, "random-bot.lua");
  writeFileSync(
    script,
    `math.randomseed(42)\nrequest = function()\n  return wrk.format("GET", string.format("/bots/bot-%04d", math.random(0, ${BOTS - 1})))\nend\n`,
  );
  const common = ["-t2", "-c32", `-d${SECONDS}s`, "--latency"];
  const revision = (await (await fetch(`${api.url}/bots`)).json()) as { revision: string };

  // Warm up the JIT on both servers before measuring.
  await wrk(["-t2", "-c32", "-d2s", "-s", script, api.url]);
  await wrk(["-t2", "-c32", "-d2s", `${bare.url}/hello`]);

  // The rows alternate for ROUNDS rounds (the machine may be shared: alternating spreads any
  // background load over all of them); each row shows its run with the median requests/s.
  const rows: [string, string[]][] = [
    ["bare Hono GET /hello", [...common, `${bare.url}/hello`]],
    ["GET /bots/bot-0001 (fixed id, no script)", [...common, `${api.url}/bots/bot-0001`]],
    ["bare Hono GET /bots/:id → hello (script)", [...common, "-s", script, bareParam.url]],
    ["GET /bots/{id} (random ids, script)", [...common, "-s", script, api.url]],
    ["bare Hono route + registry.get (script)", [...common, "-s", script, bare.url]],
    [
      "GET /bots/{id} with bearer auth",
      [...common, "-s", script, "-H", "Authorization: Bearer bench-token", authed.url],
    ],
    [
      "GET /bots → 304 (If-None-Match)",
      [...common, "-H", `If-None-Match: "${revision.revision}"`, `${api.url}/bots`],
    ],
  ];
  const results: WrkResult[][] = rows.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, [, args]] of rows.entries()) results[i]?.push(await wrk(args));
  const median = (rs: WrkResult[]): WrkResult =>
    [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)] as WrkResult;
  const runs: [string, WrkResult][] = rows.map(([name], i) => [
    `${name} (median of ${ROUNDS})`,
    median(results[i] as WrkResult[]),
  ]);
  runs.push(["GET /bots full list (1,000)", await wrk([...common, `${api.url}/bots`])]);
  const [hellos = [], fixed = [], helloScripted = [], scripted = [], minimal = []] = results;

  // Event propagation: PUT → stream → the remote manager's cache drops the bot.
  const propagation = async (eventBus: EventBus): Promise<number[]> => {
    const manager = new Manager({
      backend: new HTTPRegistryBackend({ baseUrl: api.url }),
      eventBus,
    });
    await manager.initialize();
    const writer = new HTTPRegistryBackend({ baseUrl: api.url });
    const samples: number[] = [];
    for (let i = 0; i < PUTS; i++) {
      await manager.getOrCreate("bot-0001");
      const t0 = performance.now();
      await writer.register("bot-0001", { ...CONFIG, round: i });
      while (manager.isCached("bot-0001")) await new Promise((r) => setImmediate(r));
      samples.push(performance.now() - t0);
    }
    await manager.close();
    await eventBus.close();
    return samples.sort((a, b) => a - b);
  };
  const overSse = await propagation(new SSEEventBus({ baseUrl: api.url }));
  const overWs = await propagation(
    new WebSocketEventBus({
      baseUrl: api.url,
      connect: (url, headers) => new WebSocket(url, { headers }),
    }),
  );

  const row = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  console.log(
    `\nbotknobs HTTP API on Node ${process.version}, @hono/node-server, loopback, wrk -t2 -c32 -d${SECONDS}s\n`,
  );
  console.log(
    row(["measurement", "requests/s", "p50 ms", "p99 ms", "server CPU µs/req", "non-2xx/3xx"]),
  );
  console.log(row(["---", "---:", "---:", "---:", "---:", "---:"]));
  for (const [name, r] of runs)
    console.log(
      row([
        name,
        r.rps.toFixed(0),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        r.cpuPerRequest.toFixed(1),
        String(r.non2xx),
      ]),
    );
  const rps = (rs: WrkResult[]): number => median(rs).rps;
  const cpu = (rs: WrkResult[]): number => Math.min(...rs.map((r) => r.cpuPerRequest));
  // Each round runs a pair back to back, so the median of per-round ratios cancels slow drifts
  // of a shared machine better than a ratio of medians.
  const ratio = (a: WrkResult[], b: WrkResult[]): string => {
    const perRound = a.map((r, i) => r.rps / (b[i]?.rps ?? Number.NaN)).sort((x, y) => x - y);
    const mid = perRound[Math.floor(perRound.length / 2)] as number;
    return `${mid.toFixed(2)}× (rounds ${(perRound[0] as number).toFixed(2)}–${(perRound.at(-1) as number).toFixed(2)}; ratio of medians ${(rps(a) / rps(b)).toFixed(2)})`;
  };
  console.log("\noverhead ratio (hello rps / bots rps, median of per-round ratios; goal ≤ 1.5×):");
  console.log(`  same wrk invocation, fixed path, no script: ${ratio(hellos, fixed)}`);
  console.log(
    `  same wrk invocation, random ids via the script: ${ratio(helloScripted, scripted)}`,
  );
  console.log(
    `  unmatched (hello without the script, bots with it; earlier runs' figure): ${ratio(hellos, scripted)}`,
  );
  console.log(
    `  per round (hello / fixed / hello scripted / scripted / bare route + registry.get): ${hellos.map((h, i) => [h, fixed[i], helloScripted[i], scripted[i], minimal[i]].map((r) => r?.rps.toFixed(0)).join(" / ")).join(", ")}`,
  );
  console.log(
    `  server CPU per request (min of ${ROUNDS}): hello ${cpu(hellos).toFixed(1)} µs, fixed ${cpu(fixed).toFixed(1)} µs (${(cpu(fixed) / cpu(hellos)).toFixed(2)}×); hello scripted ${cpu(helloScripted).toFixed(1)} µs, scripted ${cpu(scripted).toFixed(1)} µs (${(cpu(scripted) / cpu(helloScripted)).toFixed(2)}×); bare route + registry.get ${cpu(minimal).toFixed(1)} µs`,
  );
  console.log(
    `  the API's own share (bare route + registry.get rps / API rps, both scripted): ${ratio(minimal, scripted)}`,
  );
  console.log(
    `  load average while running: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${cpus().length} CPUs`,
  );
  for (const [name, samples] of [
    ["SSE", overSse],
    ["WebSocket", overWs],
  ] as const)
    console.log(
      `event propagation PUT → remote invalidation over ${name}, ${PUTS} sequential PUTs: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`,
    );
  console.log("\ncommands:");
  for (const [name, r] of runs) console.log(`  ${name}: ${r.command}`);
  console.log(
    `  (random-bot.lua: request = wrk.format("GET", string.format("/bots/bot-%04d", math.random(0, ${BOTS - 1}))))`,
  );

  await Promise.all([api.close(), authed.close(), bare.close(), bareParam.close()]);
}

await main();
