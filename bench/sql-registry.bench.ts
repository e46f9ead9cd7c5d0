/**
 * `getConfig` through the caching manager on the SQLite and PostgreSQL registries, beside a raw
 * query of the same row through the same driver, in one run (results: bench/RESULTS.md).
 *
 *   npx tsx bench/sql-registry.bench.ts
 *
 * 1,000 bots (a ~1 KB config each); 20,000 reads with Zipf(s = 1) skew through a
 * `ConfigCachingManager` of 200 entries (a miss reads the registry); per backend: the hit ratio
 * and p50/p99 of a read through the manager, of a miss alone (`peekConfig` through the registry,
 * no cache), and of the raw query (`SELECT config … WHERE bot_id = ?` on the driver, parsed) for
 * the same ids. The memory registry is the floor. PostgreSQL: $BOTKNOBS_PG_URL or
 * 127.0.0.1:5432/test (skipped, saying so, when it does not answer); each run in its own schema,
 * dropped at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import postgres from "postgres";
import { PostgresRecordStore } from "../src/adapters/postgres/index.ts";
import { SqliteRecordStore } from "../src/adapters/sqlite/index.ts";
import {
  ConfigCachingManager,
  InMemoryBackend,
  type RegistryBackend,
  StoreRegistryBackend,
} from "../src/index.ts";
import { admin, PG_URL, postgresMissing, randomName } from "../test/fixtures/postgres.ts";
import { zipfSequence } from "./zipf.ts";

const BOTS = 1000;
const READS = 20_000;
const CACHE = 200;

const config = (i: number) => ({
  llm: { provider: "anthropic", model: "claude-3-sonnet", temperature: 0.2 },
  prompt: `You are bot ${i}. `.repeat(40),
  memory: { type: "buffer", max_messages: 10 },
});

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
const ms = (x: number) => `${(x * 1000).toFixed(1)} µs`;

interface Times {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** Times `read` over the ids (ms per call). */
async function timed(
  ids: string[],
  read: (id: string) => Promise<unknown> | unknown,
): Promise<Times> {
  for (const id of ids.slice(0, 200)) await read(id); // warm up
  const times: number[] = [];
  for (const id of ids) {
    const t = performance.now();
    await read(id);
    times.push(performance.now() - t);
  }
  return summary(times);
}

function summary(times: number[]): Times {
  return {
    p50: quantile(times, 0.5),
    p90: quantile(times, 0.9),
    p99: quantile(times, 0.99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

/** Times two reads of each id, alternating which runs first. */
async function pair(
  ids: string[],
  a: (id: string) => Promise<unknown> | unknown,
  b: ((id: string) => Promise<unknown> | unknown) | null,
): Promise<[Times, Times | null]> {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (
    read: (id: string) => Promise<unknown> | unknown,
    id: string,
    into: number[],
  ) => {
    const t = performance.now();
    await read(id);
    into.push(performance.now() - t);
  };
  for (const id of ids.slice(0, 200)) {
    await a(id);
    await b?.(id);
  }
  for (const [i, id] of ids.entries()) {
    if (i % 2 === 0 || !b) await time(a, id, ta);
    if (b) await time(b, id, tb);
    if (i % 2 === 1 && b) await time(a, id, ta);
  }
  return [summary(ta), b ? summary(tb) : null];
}

interface Row {
  backend: string;
  hit: number;
  managed: Times;
  miss: Times;
  raw: Times | null;
}

async function measure(
  name: string,
  backend: RegistryBackend,
  raw: ((id: string) => Promise<unknown> | unknown) | null,
): Promise<Row> {
  await backend.initialize();
  for (let i = 0; i < BOTS; i++) await backend.register(`bot-${i}`, config(i));
  const ids = zipfSequence(BOTS, READS, 7);
  const manager = new ConfigCachingManager({ backend, cacheTtl: 300, maxCacheSize: CACHE });
  await manager.initialize();
  const managed = await timed(ids, (id) => manager.get(id));
  const stats = manager.getCacheStats();
  // The registry's read and the raw query of the same id, one after the other, alternating
  // which goes first: the machine's load falls on both alike.
  const sample = ids.slice(0, 5000);
  const [miss, rawTimes] = await pair(sample, (id) => backend.peekConfig(id), raw);
  await manager.close();
  return {
    backend: name,
    hit: stats.hits / (stats.hits + stats.misses),
    managed,
    miss,
    raw: rawTimes,
  };
}

const rows: Row[] = [];
const load = loadavg()[0]?.toFixed(2);
rows.push(await measure("memory", new InMemoryBackend(), null));

const dir = mkdtempSync(join(tmpdir(), "botknobs-bench-sql-"));
try {
  const path = join(dir, "registry.db");
  const store = new SqliteRecordStore({ path });
  // A connection of its own, opened once the store created the file and its tables.
  let db: Database.Database | null = null;
  let query: Database.Statement | null = null;
  rows.push(
    await measure("sqlite (better-sqlite3, WAL)", new StoreRegistryBackend({ store }), (id) => {
      db ??= new Database(path, { readonly: true });
      query ??= db.prepare("SELECT config FROM botknobs_records WHERE bot_id = ?");
      return JSON.parse((query.get(id) as { config: string }).config);
    }),
  );
  (db as Database.Database | null)?.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const missing = await postgresMissing();
if (missing) console.log(`postgres skipped: ${missing}`);
else {
  const schema = randomName("bk_bench");
  const store = new PostgresRecordStore({ connection_string: PG_URL, table: `${schema}.bots` });
  const sql = postgres(PG_URL, { max: 1 });
  try {
    rows.push(
      await measure(
        "postgres (postgres 4, loopback)",
        new StoreRegistryBackend({ store }),
        async (id) => {
          const [row] = await sql.unsafe(
            `SELECT config FROM "${schema}".bots WHERE bot_id = $1`,
            [id],
            {
              prepare: true,
            },
          );
          return JSON.parse((row as unknown as { config: string }).config);
        },
      ),
    );
  } finally {
    await store.close();
    await sql.end();
    await admin((s) => s.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
}

console.log(
  `\n${BOTS} bots, ${READS} Zipf reads through ConfigCachingManager (${CACHE} entries); load average ${load} at start, ${loadavg()[0]?.toFixed(2)} at end\n`,
);
console.log(
  "| backend | hit ratio | manager.get p50 / p90 / mean | registry peekConfig (a miss) p50 / p99 | raw query p50 / p99 | peekConfig ÷ raw (p50) |",
);
console.log("|---|---:|---:|---:|---:|---:|");
const three = (t: Times) => `${ms(t.p50)} / ${ms(t.p90)} / ${ms(t.mean)}`;
const two = (t: Times) => `${ms(t.p50)} / ${ms(t.p99)}`;
for (const r of rows)
  console.log(
    `| ${r.backend} | ${(r.hit * 100).toFixed(1)}% | ${three(r.managed)} | ${two(r.miss)} | ${r.raw ? two(r.raw) : "—"} | ${r.raw ? `${(r.miss.p50 / r.raw.p50).toFixed(2)}×` : "—"} |`,
  );
