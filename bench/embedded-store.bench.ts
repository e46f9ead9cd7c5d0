/**
 * `npm start` on the file journal or on SQLite (issue 17, item 8), in one run, on the same data:
 * a folder of EMBED_FILES files in one knowledge base, ingested (about five chunks a file:
 * 100,000 chunks at 20,000 files), and EMBED_VERSIONS bot versions (100 bots) written into the
 * store under test. The stores take turns in each measurement (the order flipped every other
 * round: on a shared machine the load moves meanwhile):
 *  - restart: `botknobs serve --store S` spawned EMBED_RUNS times each; spawn → first `200` to
 *    `GET /bots/bot-0` (polled every 10 ms), and the server's RSS then;
 *  - search at that many chunks: a server of each, the same EMBED_QUERIES `GET /kb/big/search`
 *    (two or three words each, after 10 to warm up) to one and then the other; p50/p95, and the
 *    RSS after them;
 *  - two processes writing, twice per store: A and B on the folder, each sent EMBED_WRITES PUTs
 *    one after another (alternately its own bot and one both write), both at once; per-PUT
 *    p50/p99, writes/s of the two together, whether every write of the shared bot became a
 *    version, and, for B's PUTs, B's answer → the event at an SSE client of A (p50/p95).
 *
 *   npx tsx bench/embedded-store.bench.ts
 *   env: EMBED_FILES=20000 EMBED_VERSIONS=10000 EMBED_RUNS=3 EMBED_QUERIES=200 EMBED_WRITES=300
 *        EMBED_DATA=<folder to build the knowledge base in once and reuse>
 *
 * The knowledge base is built once (createFileApp's putFiles and ingestion) and hard-linked
 * into each store's folder (its files are replaced by rename, never written in place); the
 * versions are written with each store's own class (its flushes off: only the build is faster).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createFileApp, FileRecordStore } from "../src/adapters/fs/index.ts";
import { openSqliteDatabase, SqliteRecordStore } from "../src/adapters/sqlite/index.ts";
import { InMemoryEventBus } from "../src/core/events/memory-bus.ts";
import { SseParser } from "../src/core/events/sse-parser.ts";
import { MemoryRecordStore } from "../src/core/registry/memory-record-store.ts";
import type { RecordStore } from "../src/core/registry/record-store.ts";
import { StoreRegistryBackend } from "../src/core/registry/store-backend.ts";

const env = process.env;
const FILES = Number(env.EMBED_FILES ?? 20_000);
const VERSIONS = Number(env.EMBED_VERSIONS ?? 10_000);
const RUNS = Number(env.EMBED_RUNS ?? 3);
const QUERIES = Number(env.EMBED_QUERIES ?? 200);
const WRITES = Number(env.EMBED_WRITES ?? 300);
const BOTS = 100;
const here = resolve(import.meta.dirname, "..");
const root = env.EMBED_DATA ?? join(tmpdir(), `botknobs-embed-${FILES}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** A deterministic word stream (xorshift), Zipf-like over 5,000 words. */
let seed = 42;
const rand = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const word = (): string => `w${Math.floor(5000 * rand() ** 2.5)}`;
const words = (n: number): string => Array.from({ length: n }, word).join(" ");

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The knowledge base `big`: FILES files of five ~450-character sections, ingested. */
async function buildKnowledge(base: string): Promise<void> {
  const began = performance.now();
  const app = createFileApp({
    path: base,
    records: new MemoryRecordStore(),
    eventBus: new InMemoryEventBus(),
  });
  await app.knowledge.createKb("big", {});
  for (let i = 0; i < FILES; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(FILES, i + 1000); j++) {
      const sections = Array.from({ length: 5 }, (_, k) => `## Part ${k}\n\n${words(60)}.`);
      batch.push({
        path: `d${Math.floor(j / 500)}/f${j}.md`,
        content: `# File ${j}\n\n${sections.join("\n\n")}`,
      });
    }
    await app.knowledge.putFiles("big", batch);
  }
  const result = await app.ingestion.ingest("big");
  writeFileSync(join(base, "built.json"), JSON.stringify(result));
  console.log(
    `built ${base}: ${FILES} files in ${((performance.now() - began) / 1000).toFixed(0)} s: ${JSON.stringify(result).slice(0, 200)}`,
  );
}

/** VERSIONS versions of BOTS bots written through `store`. */
async function writeVersions(store: RecordStore): Promise<void> {
  const backend = new StoreRegistryBackend({ store });
  for (let v = 0; v < VERSIONS / BOTS; v++)
    for (let b = 0; b < BOTS; b++) {
      const config = { llm: { model: `m${v}` }, prompt: words(120) };
      if (v === 0) await backend.register(`bot-${b}`, config);
      else await backend.update(`bot-${b}`, config);
    }
  await backend.close();
}

/** A copy of the knowledge folder with VERSIONS versions in the store `kind`. */
async function prepare(kind: "file" | "sqlite", base: string): Promise<string> {
  const dir = join(root, kind);
  rmSync(dir, { recursive: true, force: true });
  execFileSync("cp", ["-al", base, dir]);
  const began = performance.now();
  if (kind === "file")
    await writeVersions(new FileRecordStore({ path: join(dir, "registry"), sync: false }));
  else {
    const database = await openSqliteDatabase(join(dir, "botknobs.db"));
    database.exec("PRAGMA synchronous = OFF");
    await writeVersions(new SqliteRecordStore({ database }));
    database.close();
  }
  console.log(
    `${kind}: ${VERSIONS} versions written in ${((performance.now() - began) / 1000).toFixed(1)} s`,
  );
  return dir;
}

/** `serve --store kind` on `dir`, on a free port; resolved once it answers, with the time it took. */
async function serve(kind: string, dir: string) {
  const port = await freePort();
  const began = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/bin.ts", "serve", "--store", kind, "--data", dir],
    { cwd: here, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
    const ok = await fetch(`${url}/bots/bot-0`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(10);
  }
  const firstAnswerMs = performance.now() - began;
  return {
    url,
    firstAnswerMs,
    rss: () => rssOf(child.pid as number),
    async stop(): Promise<void> {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Times of the events an SSE client of `url` hears, by `bot_id:version`. */
async function listen(url: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/events?topics=registry:*`, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parser = new SseParser();
  const heard = new Map<string, number>();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      const at = performance.now();
      for (const m of parser.push(value as Uint8Array)) {
        if (m.event === "ready") ready();
        if (m.event !== "message") continue;
        const { payload } = JSON.parse(m.data) as { payload: { bot_id: string; version: number } };
        heard.set(`${payload.bot_id}:${payload.version}`, at);
      }
    }
  })();
  await isReady;
  return { heard, close: () => controller.abort() };
}

interface Row {
  restartMs: number[];
  rssAtAnswer: number;
  searchP50: number;
  searchP95: number;
  rssAfterSearch: number;
  putP50: number;
  putP99: number;
  writesPerSecond: number;
  sharedKept: string;
  eventP50: number;
  eventP95: number;
}

type Kind = "file" | "sqlite";
/** Both stores, the order flipped every other round (the machine's load moves meanwhile). */
const orders = (round: number): Kind[] =>
  round % 2 === 0 ? ["file", "sqlite"] : ["sqlite", "file"];

/** Restarts of each store, interleaved: spawn → first answer, and RSS then. */
async function restarts(
  dirs: Record<Kind, string>,
): Promise<Record<Kind, { ms: number[]; rss: number[] }>> {
  const out = {
    file: { ms: [] as number[], rss: [] as number[] },
    sqlite: { ms: [] as number[], rss: [] as number[] },
  };
  for (let i = 0; i < RUNS; i++)
    for (const kind of orders(i)) {
      const s = await serve(kind, dirs[kind]);
      out[kind].ms.push(s.firstAnswerMs);
      out[kind].rss.push(s.rss());
      await s.stop();
    }
  return out;
}

/** The same queries to a server of each store, one after the other; p50, p95 and RSS after. */
async function searches(
  dirs: Record<Kind, string>,
): Promise<Record<Kind, { p50: number; p95: number; rss: number }>> {
  const servers = {
    file: await serve("file", dirs.file),
    sqlite: await serve("sqlite", dirs.sqlite),
  };
  const times: Record<Kind, number[]> = { file: [], sqlite: [] };
  seed = 7;
  for (let q = 0; q < QUERIES + 10; q++) {
    const query = encodeURIComponent(words(2 + (q % 2)));
    for (const kind of orders(q)) {
      const t = performance.now();
      const r = await fetch(`${servers[kind].url}/kb/big/search?q=${query}`);
      if (r.status !== 200) throw new Error(`search answered ${r.status}`);
      await r.arrayBuffer();
      if (q >= 10) times[kind].push(performance.now() - t);
    }
  }
  const result = {} as Record<Kind, { p50: number; p95: number; rss: number }>;
  for (const kind of ["file", "sqlite"] as const) {
    result[kind] = {
      p50: quantile(times[kind], 0.5),
      p95: quantile(times[kind], 0.95),
      rss: servers[kind].rss(),
    };
    await servers[kind].stop();
  }
  return result;
}

interface Writers {
  puts: number[];
  writesPerSecond: number[];
  lags: number[];
  kept: string[];
}

/** Two servers A and B of `kind` on its folder, each sent WRITES PUTs at once. */
async function twoWriters(kind: Kind, dir: string, into: Writers): Promise<void> {
  const [a, b] = [await serve(kind, dir), await serve(kind, dir)];
  const client = await listen(a.url);
  const before =
    ((await (await fetch(`${a.url}/bots/shared`)).json()) as { version?: number }).version ?? 0;
  const answeredAtB = new Map<string, number>();
  const began = performance.now();
  await Promise.all(
    [a, b].map(async (s, side) => {
      for (let i = 0; i < WRITES; i++) {
        const id = i % 2 === 0 ? "shared" : `own-${side}`;
        const t = performance.now();
        const r = await fetch(`${s.url}/bots/${id}`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ config: { side, i, prompt: "x".repeat(500) } }),
        });
        const reg = (await r.json()) as { version: number };
        const now = performance.now();
        into.puts.push(now - t);
        if (side === 1) answeredAtB.set(`${id}:${reg.version}`, now);
      }
    }),
  );
  into.writesPerSecond.push((2 * WRITES) / ((performance.now() - began) / 1000));
  await sleep(1000);
  for (const [key, at] of answeredAtB) {
    const heard = client.heard.get(key);
    if (heard !== undefined) into.lags.push(heard - at);
  }
  const shared = ((await (await fetch(`${b.url}/bots/shared`)).json()) as { version: number })
    .version;
  into.kept.push(
    `${shared - before}/${WRITES} versions, ${[...answeredAtB.keys()].filter((k) => client.heard.has(k)).length}/${answeredAtB.size} heard`,
  );
  client.close();
  await a.stop();
  await b.stop();
}

const base = join(root, "base");
if (!existsSync(join(base, "built.json"))) await buildKnowledge(base);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; node ${process.version}`,
);
const dirs = { file: await prepare("file", base), sqlite: await prepare("sqlite", base) };
const restarted = await restarts(dirs);
const searched = await searches(dirs);
const written: Record<Kind, Writers> = {
  file: { puts: [], writesPerSecond: [], lags: [], kept: [] },
  sqlite: { puts: [], writesPerSecond: [], lags: [], kept: [] },
};
for (let round = 0; round < 2; round++)
  for (const kind of orders(round)) await twoWriters(kind, dirs[kind], written[kind]);
const row = (kind: Kind): Row => ({
  restartMs: restarted[kind].ms,
  rssAtAnswer: quantile(restarted[kind].rss, 0.5),
  searchP50: searched[kind].p50,
  searchP95: searched[kind].p95,
  rssAfterSearch: searched[kind].rss,
  putP50: quantile(written[kind].puts, 0.5),
  putP99: quantile(written[kind].puts, 0.99),
  writesPerSecond: quantile(written[kind].writesPerSecond, 0.5),
  sharedKept: written[kind].kept.join("; "),
  eventP50: quantile(written[kind].lags, 0.5),
  eventP95: quantile(written[kind].lags, 0.95),
});
const f = row("file");
const s = row("sqlite");
const median = (xs: number[]): number => quantile(xs, 0.5);
const line = (label: string, a: string, b: string, ratio: number): string =>
  `| ${label} | ${a} | ${b} | ${ratio.toFixed(2)}× |`;
console.log(
  `\n${FILES} files, ${VERSIONS} versions, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n`,
);
console.log("| | file journal | SQLite | SQLite ÷ file |\n|---|---:|---:|---:|");
console.log(
  line(
    "restart: spawn → first answer, median",
    `${ms(median(f.restartMs))} ms (${f.restartMs.map(ms).join(", ")})`,
    `${ms(median(s.restartMs))} ms (${s.restartMs.map(ms).join(", ")})`,
    median(s.restartMs) / median(f.restartMs),
  ),
);
console.log(
  line(
    "RSS at the first answer",
    mb(f.rssAtAnswer),
    mb(s.rssAtAnswer),
    s.rssAtAnswer / f.rssAtAnswer,
  ),
);
console.log(
  line(
    `search p50 (${QUERIES} queries)`,
    `${ms(f.searchP50)} ms`,
    `${ms(s.searchP50)} ms`,
    s.searchP50 / f.searchP50,
  ),
);
console.log(
  line("search p95", `${ms(f.searchP95)} ms`, `${ms(s.searchP95)} ms`, s.searchP95 / f.searchP95),
);
console.log(
  line(
    "RSS after the searches",
    mb(f.rssAfterSearch),
    mb(s.rssAfterSearch),
    s.rssAfterSearch / f.rssAfterSearch,
  ),
);
console.log(
  line("two writers: PUT p50", `${ms(f.putP50)} ms`, `${ms(s.putP50)} ms`, s.putP50 / f.putP50),
);
console.log(
  line("two writers: PUT p99", `${ms(f.putP99)} ms`, `${ms(s.putP99)} ms`, s.putP99 / f.putP99),
);
console.log(
  line(
    "two writers: writes/s together",
    f.writesPerSecond.toFixed(0),
    s.writesPerSecond.toFixed(0),
    s.writesPerSecond / f.writesPerSecond,
  ),
);
console.log(
  line(
    "B's answer → event at A's SSE client, p50",
    `${ms(f.eventP50)} ms`,
    `${ms(s.eventP50)} ms`,
    s.eventP50 / f.eventP50,
  ),
);
console.log(line("… p95", `${ms(f.eventP95)} ms`, `${ms(s.eventP95)} ms`, s.eventP95 / f.eventP95));
console.log(`| shared bot: versions made; events heard | ${f.sharedKept} | ${s.sharedKept} | |`);
