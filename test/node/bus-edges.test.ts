// What the Redis and PostgreSQL buses add to the umbrella suite, against the shared servers:
// names that could be injected (refused, or carried as data), an exact and a pattern subscription
// on one topic (each handler once), a reader that fell behind a trimmed window (told to
// resynchronise, then given what is still there), a server that is not there (AdapterError),
// and createEventBus with the seed's keys.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createEventBus as nodeCreateEventBus,
  PostgresEventBus,
  RedisEventBus,
} from "../../src/adapters/node/index.ts";
import { createEventBus as postgresCreateEventBus } from "../../src/adapters/postgres/index.ts";
import { createEventBus as redisCreateEventBus } from "../../src/adapters/redis/index.ts";
import { optionalImport } from "../../src/core/util/optional-import.ts";
import {
  AdapterError,
  createEventBus,
  Event,
  type EventBus,
  EventType,
  ValidationError,
} from "../../src/index.ts";
import { eventually, expectRejects } from "../../src/testing/index.ts";
import { dropEventTables, dropRedisKeys } from "../fixtures/bus-cleanup.ts";
import { freePort } from "../fixtures/private-servers.ts";
import { POSTGRES, REDIS, reachable, withService } from "../fixtures/services.ts";
import { tcpProxy } from "../fixtures/tcp-proxy.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const up = { redis: await reachable(REDIS), postgres: await reachable(POSTGRES) };
const fast = { initialDelayMs: 20, maxDelayMs: 200 };
const ev = (topic: string, payload: Record<string, unknown> = {}): Event =>
  new Event({ type: EventType.UPDATED, topic, payload });
const suffix = (): string => crypto.randomUUID().replace(/-/g, "").slice(0, 12);

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});
const opened = <B extends EventBus>(bus: B): B => {
  cleanup.push(() => bus.close());
  return bus;
};

/** A nasty topic: quotes, a space, a semicolon, SQL, 200+ characters. */
const NASTY = `x'; drop table "t"; -- "${"a b".repeat(70)}`;

/** What every bus here must do beyond the suite, given a fresh bus and one reading through a proxy. */
function shared(name: string, make: (port?: number) => EventBus, reader: RegExp, port: number) {
  it(`${name}: an exact and a pattern subscription on one topic each get an event once`, async () => {
    const bus = opened(make());
    const exact: string[] = [];
    const pattern: string[] = [];
    await bus.subscribe("registry:bots", (e) => void exact.push(String(e.payload.n)));
    await bus.subscribe("registry:*", (e) => void pattern.push(String(e.payload.n)), {
      pattern: "registry:*",
    });
    for (const n of ["1", "2"]) await bus.publish("registry:bots", ev("registry:bots", { n }));
    await bus.publish("registry:done", ev("registry:done", { n: "end" }));
    await eventually(() => pattern.includes("end"));
    expect(exact).toEqual(["1", "2"]);
    expect(pattern).toEqual(["1", "2", "end"]);
  });

  it(`${name}: a topic with quotes, spaces, SQL and 200+ characters is carried as data, intact`, async () => {
    const bus = opened(make());
    const got: Event[] = [];
    await bus.subscribe(NASTY, (e) => void got.push(e));
    await bus.publish(NASTY, ev(NASTY, { n: 1 }));
    await bus.publish(NASTY, ev(NASTY, { n: 2 }));
    await eventually(() => got.length === 2);
    expect(got.map((e) => [e.topic, e.payload.n])).toEqual([
      [NASTY, 1],
      [NASTY, 2],
    ]);
  });

  it(`${name}: a reader cut off while the window was trimmed past it is told to resynchronise, then gets what is left`, async () => {
    const proxy = await tcpProxy(port);
    cleanup.push(() => proxy.close());
    const subscriber = opened(make(proxy.port));
    const publisher = opened(make());
    const got: Event[] = [];
    await subscriber.subscribe("w:*", (e) => void got.push(e), { pattern: "w:*" });
    await publisher.publish("w:a", ev("w:a", { i: -1 }));
    await eventually(() => got.length === 1);
    const release = proxy.cut(reader);
    // Far more than the window (5) keeps, so what followed the reader's last event is gone.
    for (let i = 0; i < 300; i++) await publisher.publish("w:a", ev("w:a", { i }));
    release();
    await eventually(() => got.some((e) => e.payload.i === 299), 20_000);
    const notices = got.filter((e) => e.payload.reconnected === true);
    expect(notices.map((e) => [e.type, e.topic])).toEqual([["custom", "w:*"]]);
    // The notice comes before the events read after it; those are in order, the last one among them.
    const after = got.slice(got.indexOf(notices[0] as Event) + 1).map((e) => e.payload.i as number);
    expect(after).toEqual([...after].sort((a, b) => a - b));
    expect(after.length).toBeLessThan(300);
    expect(after.at(-1)).toBe(299);
  }, 60_000);

  it(`${name}: a server that is not there is an AdapterError from connect`, async () => {
    const closed = await freePort();
    const bus = opened(make(closed));
    await expectRejects(h, bus.connect(), AdapterError, `127.0.0.1:${closed}`);
  });
}

withService(h, REDIS, up.redis, () => {
  describe("RedisEventBus edges", () => {
    let prefix = "";
    beforeEach(() => {
      prefix = `bk-edge-${suffix()}`;
      cleanup.push(() => dropRedisKeys(REDIS.port, [`${prefix}:stream`]));
    });
    const make = (port = REDIS.port) =>
      new RedisEventBus({ port, channelPrefix: prefix, replayWindow: 5, reconnect: fast });
    shared("redis", make, /XREAD/, REDIS.port);

    it("createEventBus with the seed's keys, from botknobs/redis and botknobs/node", async () => {
      for (const create of [redisCreateEventBus, nodeCreateEventBus]) {
        const bus = opened(
          create({
            backend: "redis",
            host: "127.0.0.1",
            port: REDIS.port,
            database: 0,
            channel_prefix: prefix,
          }),
        );
        expect(bus).toBeInstanceOf(RedisEventBus);
        const got: Event[] = [];
        await bus.subscribe("k:1", (e) => void got.push(e));
        await bus.publish("k:1", ev("k:1"));
        await eventually(() => got.length === 1);
      }
      const byUrl = opened(
        nodeCreateEventBus({ backend: "redis", url: `redis://127.0.0.1:${REDIS.port}/0` }),
      );
      await byUrl.connect();
      expect(() => redisCreateEventBus({ backend: "redis", hots: "x" })).toThrow(ValidationError);
      expect(() => redisCreateEventBus({ backend: "redis", url: "http://x" })).toThrow(
        ValidationError,
      );
    });
  });
});

withService(h, POSTGRES, up.postgres, () => {
  describe("PostgresEventBus edges", () => {
    let channel = "";
    beforeEach(() => {
      channel = `bk_edge_${suffix()}`;
      cleanup.push(() => dropEventTables(POSTGRES.port, "test", [`${channel}_log`]));
    });
    const options = (port = POSTGRES.port) => ({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "test",
      channelPrefix: channel,
      table: `${channel}_log`,
      replayWindow: 5,
      reconnect: fast,
    });
    shared("postgres", (port) => new PostgresEventBus(options(port)), /listen "/i, POSTGRES.port);

    it("a channel or table name with quotes, spaces or 200 characters is refused before anything is sent", () => {
      for (const bad of [`a"; drop table t; --`, "two words", "x".repeat(200), "9lives", ""]) {
        expect(() => new PostgresEventBus({ ...options(), channelPrefix: bad })).toThrow(
          ValidationError,
        );
        expect(() => new PostgresEventBus({ ...options(), table: bad })).toThrow(ValidationError);
      }
      expect(
        () => new PostgresEventBus({ ...options(), table: `public.${channel}` }),
      ).not.toThrow();
    });

    it("maxEventBytes above 7900 is refused: NOTIFY payloads are under 8000 bytes", () => {
      expect(() => new PostgresEventBus({ ...options(), maxEventBytes: 8000 })).toThrow(
        ValidationError,
      );
      expect(new PostgresEventBus(options()).capabilities.maxEventBytes).toBe(7900);
    });

    it("createEventBus with the seed's keys, from botknobs/postgres and botknobs/node", async () => {
      const keys = { host: "127.0.0.1", port: POSTGRES.port, database: "test", user: "postgres" };
      const url = `postgres://postgres@127.0.0.1:${POSTGRES.port}/test`;
      for (const [create, config] of [
        [postgresCreateEventBus, keys],
        [nodeCreateEventBus, { connection_string: url }],
      ] as const) {
        const bus = opened(
          create({
            backend: "postgres",
            ...config,
            channel_prefix: channel,
            table: `${channel}_log`,
          }),
        );
        expect(bus).toBeInstanceOf(PostgresEventBus);
        const got: Event[] = [];
        await bus.subscribe("k:1", (e) => void got.push(e));
        await bus.publish("k:1", ev("k:1"));
        await eventually(() => got.length === 1);
      }
      expect(() => postgresCreateEventBus({ backend: "postgres", tabel: "x" })).toThrow(
        ValidationError,
      );
      expect(() => postgresCreateEventBus({ backend: "postgres", channel_prefix: "a b" })).toThrow(
        ValidationError,
      );
    });
  });
});

describe("optional peers", () => {
  it("a client package that is not installed is an AdapterError saying what to install", async () => {
    const missing = `botknobs-missing-${suffix()}`;
    await expectRejects(
      h,
      optionalImport(missing, "redis", "npm install redis@5"),
      AdapterError,
      `could not load the ${missing} package (npm install redis@5)`,
    );
  });
});

describe("createEventBus of the core entry", () => {
  it("knows neither redis nor postgres: the error lists what it knows and names the entry that does", () => {
    for (const backend of ["redis", "postgres"]) {
      let error: unknown;
      try {
        createEventBus({ backend });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain("memory, sse, websocket");
      expect((error as Error).message).toContain(`botknobs/${backend} or botknobs/node`);
    }
  });
});
