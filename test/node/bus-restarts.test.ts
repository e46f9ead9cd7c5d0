// Restarts of the servers under the Redis and PostgreSQL buses, on private servers of the test's
// own (the shared ones are never restarted), both keeping their data across a crash (Redis with
// an append-only file): the umbrella suite's resume.after-restart case, and the HYBRID hot reload
// that must serve the latest config after a restart with subscribers connected. The update made
// while the server is down loses its event (the publish fails), and the stream or table the
// buses read is intact afterwards: only the bus's notice that the server restarted (a new
// run_id, a new pg_postmaster_start_time) lets the reader's cache find it, by a poll. One made
// after the restart arrives as an event. Without the notice both cases time out.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  PostgresEventBus,
  type PostgresEventBusOptions,
} from "../../src/adapters/postgres/index.ts";
import { RedisEventBus } from "../../src/adapters/redis/index.ts";
import {
  Event,
  type EventBus,
  HotReloadManager,
  InMemoryBackend,
  ReloadMode,
} from "../../src/index.ts";
import { eventually, RecordingManager, type TestHarness } from "../../src/testing/index.ts";
import { type PrivateServer, privatePostgres, privateRedis } from "../fixtures/private-servers.ts";
import { postgresSuite, redisSuite } from "./bus-suites.ts";

const h: TestHarness = { describe, it, expect, beforeEach, afterEach };
const fast = { initialDelayMs: 20, maxDelayMs: 200 };
const redis = await privateRedis();
const pg = await privatePostgres();
afterAll(async () => {
  for (const server of [redis, pg]) if (typeof server !== "string") await server.close();
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});

/** A skipped case saying why, or a failing one under BOTKNOBS_REQUIRE_SERVICES=1. */
function missing(what: string, why: string): void {
  if (process.env.BOTKNOBS_REQUIRE_SERVICES === "1")
    it(`${what} (BOTKNOBS_REQUIRE_SERVICES=1)`, () => {
      throw new Error(why);
    });
  else it.skip(`${what} (skipped: ${why})`, () => {});
}

/**
 * A writer's registry publishing on one bus and a reader's cache following another (each bus
 * its own connections, as two processes), with HYBRID hot reload polling hourly: only an event
 * or a resync can refresh it in the test's time. The server restarts with both connected.
 */
async function hybridAcrossRestart(server: PrivateServer, bus: () => EventBus): Promise<void> {
  const writerBus = bus();
  const lost: unknown[] = [];
  const registry = new InMemoryBackend({
    eventBus: writerBus,
    onError: (error) => void lost.push(error),
  });
  const readerBus = bus() as EventBus & { reconnects: number };
  const manager = new RecordingManager({ backend: registry });
  const hot = new HotReloadManager({
    cachingManager: manager,
    eventBus: readerBus,
    mode: ReloadMode.HYBRID,
    pollingInterval: 3600,
  });
  cleanup.push(
    () => writerBus.close(),
    () => readerBus.close(),
    () => manager.close(),
    () => hot.shutdown(),
  );
  await writerBus.connect();
  await registry.register("bot-1", { v: 1 });
  await registry.register("bot-2", { v: 1 });
  await manager.initialize();
  await hot.initialize();
  expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 1 });
  const unchanged = await manager.getOrCreate("bot-2");
  // An event still works before the restart.
  await registry.register("bot-1", { v: 2 });
  await eventually(() => !manager.isCached("bot-1"), 10_000);
  expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });

  await server.crash();
  // Written while the server is down: the write is kept, its event is lost (reported).
  await registry.register("bot-1", { v: 3 });
  expect(lost.length).toBe(1);
  await server.start();
  await eventually(() => readerBus.reconnects >= 1, 20_000);
  await eventually(() => !manager.isCached("bot-1"), 20_000);
  expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 3 });
  expect(await manager.getOrCreate("bot-2")).toBe(unchanged);
  // After the restart, events flow again.
  await registry.register("bot-2", { v: 2 });
  await eventually(() => !manager.isCached("bot-2"), 20_000);
  expect((await manager.getOrCreate("bot-2")).config).toEqual({ v: 2 });
  expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 3 });
}

describe("RedisEventBus across restarts of a private redis-server", () => {
  if (typeof redis === "string") return missing("redis-server restarts", redis);
  redisSuite(h, "redis, restarted (node)", redis.port, {
    restart: () => redis.restart(),
    replayWindow: 20,
  });
  it("HYBRID hot reload resynchronises after a restart with subscribers connected; no update is lost", async () => {
    const prefix = `bk-restart-${crypto.randomUUID().slice(0, 8)}`;
    await hybridAcrossRestart(
      redis,
      () =>
        new RedisEventBus({ port: redis.port, channelPrefix: prefix, reconnect: fast, timeout: 1 }),
    );
  }, 60_000);
});

/** A client of the private PostgreSQL as its superuser. */
async function pgAdmin(port: number) {
  const postgres = (await import("postgres")).default;
  return postgres({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
}

/**
 * Makes the private server's WAL writer flush every 10 s (a busy machine) until the test ends: an
 * asynchronous commit made just before a crash is then lost, with the ids it took.
 */
async function slowWalWriter(port: number): Promise<void> {
  const set = async (statement: string): Promise<void> => {
    const sql = await pgAdmin(port);
    await sql.unsafe(statement);
    await sql.unsafe("select pg_reload_conf()");
    await sql.end();
  };
  await set("alter system set wal_writer_delay = '10s'");
  cleanup.push(() => set("alter system reset wal_writer_delay"));
}

/** Options of a bus on the private server with a table and channel of its own. */
function privateBusOptions(port: number, table: string): PostgresEventBusOptions {
  return {
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    table,
    channelPrefix: table,
    reconnect: fast,
    timeout: 2,
  };
}

describe("PostgresEventBus across restarts of a private PostgreSQL", () => {
  if (typeof pg === "string") return missing("PostgreSQL restarts", pg);
  postgresSuite(h, "postgres, restarted (node)", pg.port, "postgres", {
    restart: () => pg.restart(),
    replayWindow: 20,
  });
  it("HYBRID hot reload resynchronises after a restart with subscribers connected; no update is lost", async () => {
    const options: PostgresEventBusOptions = {
      host: "127.0.0.1",
      port: pg.port,
      user: "postgres",
      database: "postgres",
      channelPrefix: `bk_restart_${crypto.randomUUID().slice(0, 8)}`,
      reconnect: fast,
      timeout: 2,
    };
    await hybridAcrossRestart(pg, () => new PostgresEventBus(options));
  }, 60_000);
  it("after a crash that lost the last events (and their ids), the next events still arrive", async () => {
    // Publishes commit asynchronously: a crash before the WAL writer's flush loses the last rows
    // and the sequence's advance, while their NOTIFYs were already heard. The ids after the
    // restart then repeat ones a listener has seen; it must not take them for copies.
    await slowWalWriter(pg.port);
    const options = privateBusOptions(pg.port, `bk_lost_${crypto.randomUUID().slice(0, 8)}`);
    const writer = new PostgresEventBus(options);
    const reader = new PostgresEventBus(options);
    cleanup.push(
      () => writer.close(),
      () => reader.close(),
    );
    await writer.connect();
    await reader.connect();
    const heard: string[] = [];
    await reader.subscribe("t", (e) => void heard.push(String(e.payload.id)));
    const event = (id: string): Event =>
      new Event({ type: "updated", topic: "t", payload: { id } });
    for (const id of ["a", "b", "c"]) await writer.publish("t", event(id));
    await eventually(() => heard.length === 3, 10_000);
    await pg.crash();
    await pg.start();
    await eventually(() => (reader as unknown as { reconnects: number }).reconnects >= 1, 20_000);
    await eventually(async () => {
      try {
        await writer.publish("t", event("after"));
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    await eventually(() => heard.includes("after"), 10_000);
  }, 60_000);
  it("the events table outlives a crash right after it was made (its DDL commits durably; events may commit asynchronously)", async () => {
    // A WAL writer that flushes every 10 s (a busy machine): an asynchronous commit made just
    // before the crash is lost — the table too, if it was made that way, and then the buses
    // could never reconnect (`relation … does not exist`) nor publish.
    await slowWalWriter(pg.port);
    const table = `bk_durable_${crypto.randomUUID().slice(0, 8)}`;
    const options = privateBusOptions(pg.port, table);
    const bus = new PostgresEventBus(options);
    cleanup.push(() => bus.close());
    await bus.connect();
    await pg.crash();
    await pg.start();
    const check = await pgAdmin(pg.port);
    const [row] = await check.unsafe("select to_regclass($1) as t", [table]);
    await check.end();
    expect(row?.t).toBe(table);
    await eventually(() => (bus as unknown as { reconnects: number }).reconnects >= 1, 20_000);
  }, 60_000);
});
