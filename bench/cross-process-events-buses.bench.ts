/**
 * Event propagation between processes, bus by bus, in one run: this process publishes
 * `bench:ping` events one after another on a bus, and a child process (bench/bus-child.ts) with
 * its own bus over the same transport handles them and answers on `bench:pong`. Per event: the
 * time from `publish` to the child's handler (one way, both processes reading
 * `performance.timeOrigin + performance.now()`), how long the `publish` call itself took, and
 * the round trip to the answer's handler here.
 * Buses: FileEventBus (one folder), SSEEventBus (a botknobs/server app with an in-memory bus,
 * served by this process: publishes are `POST /events`), RedisEventBus (127.0.0.1:6379),
 * PostgresEventBus (127.0.0.1:5432, database `test`); a missing server is said and skipped.
 *
 *   npx tsx bench/cross-process-events-buses.bench.ts
 *   env: BUS_EVENTS=500 (after 50 to warm up), BUS_KINDS=file,sse,redis,postgres
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import postgres from "postgres";
import { createClient } from "redis";
import { serveApp } from "../src/adapters/node/index.ts";
import { Event, EventType, InMemoryBackend, InMemoryEventBus } from "../src/index.ts";
import { createApp } from "../src/server/index.ts";
import { POSTGRES, REDIS, reachable } from "../test/fixtures/services.ts";
import { clock, makeBus } from "./bus-child.ts";

const EVENTS = Number(process.env.BUS_EVENTS ?? 500);
const WARM = 50;
const KINDS = (process.env.BUS_KINDS ?? "file,sse,redis,postgres").split(",");
const root = resolve(import.meta.dirname, "..");

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

interface Setup {
  options: Record<string, unknown>;
  cleanup(): Promise<void>;
}

async function setup(kind: string): Promise<Setup | string> {
  const id = crypto.randomUUID().replace(/-/g, "").slice(0, 10);
  if (kind === "file") {
    const path = mkdtempSync(join(tmpdir(), "botknobs-bus-bench-"));
    return {
      options: { path },
      cleanup: async () => rmSync(path, { recursive: true, force: true }),
    };
  }
  if (kind === "sse") {
    const served = await serveApp(
      createApp({ registry: new InMemoryBackend(), eventBus: new InMemoryEventBus() }),
      { port: 0 },
    );
    return { options: { baseUrl: served.url }, cleanup: () => served.close() };
  }
  if (kind === "redis") {
    if (!(await reachable(REDIS))) return `Redis does not answer on ${REDIS.port}`;
    const channelPrefix = `bk-bench-${id}`;
    return {
      options: { port: REDIS.port, channelPrefix },
      cleanup: async () => {
        const client = createClient({ socket: { port: REDIS.port } });
        await client.connect();
        await client.sendCommand(["DEL", `${channelPrefix}:stream`]);
        client.destroy();
      },
    };
  }
  if (kind === "postgres") {
    if (!(await reachable(POSTGRES))) return `PostgreSQL does not answer on ${POSTGRES.port}`;
    const channelPrefix = `bk_bench_${id}`;
    const table = `${channelPrefix}_log`;
    return {
      options: {
        port: POSTGRES.port,
        host: "127.0.0.1",
        user: "postgres",
        database: "test",
        channelPrefix,
        table,
      },
      cleanup: async () => {
        const sql = postgres({
          port: POSTGRES.port,
          user: "postgres",
          database: "test",
          onnotice: () => {},
        });
        await sql.unsafe(`drop table if exists "${table}", "${table}_trimmed"`);
        await sql.end();
      },
    };
  }
  return `unknown bus ${kind}`;
}

async function measure(kind: string, options: Record<string, unknown>) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/bus-child.ts", kind, JSON.stringify(options)],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const next = (): Promise<string> => new Promise((r) => lines.once("line", r));
  if ((await next()) !== "ready") throw new Error(`${kind}: the child did not start`);
  const bus = makeBus(kind, options);
  await bus.connect();
  const answered = new Map<number, number>();
  let waiting: ((at: number) => void) | null = null;
  await bus.subscribe("bench:pong", (e) => {
    const at = clock();
    answered.set(e.payload.i as number, at);
    waiting?.(at);
  });
  const rtt: number[] = [];
  const call: number[] = [];
  for (let i = 0; i < EVENTS + WARM; i++) {
    const got = new Promise<number>((r) => {
      waiting = r;
    });
    const sent = clock();
    await bus.publish(
      "bench:ping",
      new Event({ type: EventType.CUSTOM, topic: "bench:ping", payload: { i, sent } }),
    );
    if (i >= WARM) call.push(clock() - sent);
    const at = await Promise.race([got, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    if (at < 0) throw new Error(`${kind}: no answer to event ${i} within 5 s`);
    if (i >= WARM) rtt.push(at - sent);
  }
  const done = next();
  await bus.publish("bench:done", new Event({ type: EventType.CUSTOM, topic: "bench:done" }));
  const oneWay = (JSON.parse(await done) as number[]).slice(WARM);
  await bus.close();
  child.kill();
  return { oneWay, rtt, call };
}

const row = (label: string, xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `| ${label} | ${pct(s, 50).toFixed(2)} | ${pct(s, 99).toFixed(2)} | ${(s.at(-1) ?? Number.NaN).toFixed(2)} |`;
};

const before = loadavg()[0]?.toFixed(1);
const out: string[] = [];
for (const kind of KINDS) {
  const made = await setup(kind);
  if (typeof made === "string") {
    out.push(`| ${kind} | skipped: ${made} | | |`);
    continue;
  }
  try {
    const { oneWay, rtt, call } = await measure(kind, made.options);
    out.push(row(`${kind}: publish → handler in the other process`, oneWay));
    out.push(row(`${kind}: the publish call itself`, call));
    out.push(row(`${kind}: round trip (→ handler → answer's handler here)`, rtt));
  } finally {
    await made.cleanup();
  }
}
console.log(
  `${EVENTS} events per bus after ${WARM} to warm up; ${cpus().length} cores, load average ${before} before, ${loadavg()[0]?.toFixed(1)} after`,
);
console.log("| bus | p50 ms | p99 ms | max ms |");
console.log("|---|---:|---:|---:|");
for (const line of out) console.log(line);
process.exit(0);
