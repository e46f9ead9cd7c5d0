/**
 * The event-bus umbrella over the real Redis and PostgreSQL servers (127.0.0.1:6379 and :5432),
 * on Node, Deno and Bun. Each case's bus has a stream or channel and table of its own (a random
 * suffix), removed afterwards; its peer is a second bus over the same ones, as another process
 * opens it. Every bus goes through a TCP proxy of the test's, so `disconnect` cuts the reading
 * connection (the one that sent `XREAD` / `LISTEN`) as a broken network would and holds it off;
 * the publishing one stays up. Restarts of a server are in test/node/bus-restarts.test.ts, on
 * private servers (the shared ones are never restarted).
 */
import { PostgresEventBus } from "../../src/adapters/postgres/index.ts";
import { RedisEventBus } from "../../src/adapters/redis/index.ts";
import type { EventBus } from "../../src/index.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { dropEventTables, dropRedisKeys } from "../fixtures/bus-cleanup.ts";
import { POSTGRES, REDIS, withService } from "../fixtures/services.ts";
import { type TcpProxy, tcpProxy } from "../fixtures/tcp-proxy.ts";

const fast = { initialDelayMs: 20, maxDelayMs: 200 };
const suffix = (): string => crypto.randomUUID().replace(/-/g, "").slice(0, 12);

/** Which servers answered (probed by the test file before registering). */
export interface ServicesUp {
  redis: boolean;
  postgres: boolean;
}

/** Proxies and names made by a describe's cases, dropped after each. */
function resources(h: TestHarness) {
  const proxies: TcpProxy[] = [];
  const names: string[] = [];
  h.afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  return {
    names,
    async proxy(port: number): Promise<TcpProxy> {
      const proxy = await tcpProxy(port);
      proxies.push(proxy);
      return proxy;
    },
  };
}

/** What the suites over a private server add: its restart, and the window the bus keeps. */
export interface Restarts {
  restart(): Promise<void>;
  replayWindow: number;
}

/**
 * The umbrella over `RedisEventBus`es on `port`, through a proxy; `restarts` for a private server;
 * `Bus` is the real class unless given (the mutant kit gives a patched one).
 */
export function redisSuite(
  h: TestHarness,
  name: string,
  port: number,
  restarts?: Restarts,
  Bus: typeof RedisEventBus = RedisEventBus,
): void {
  const made = resources(h);
  const proxies = new WeakMap<EventBus, TcpProxy>();
  let last = "";
  const window = restarts ? { replayWindow: restarts.replayWindow } : {};
  h.afterEach(async () => dropRedisKeys(port, made.names.splice(0)));
  conformance(h, {
    name,
    eventBus: {
      capabilities: { maxEventBytes: 65_536 },
      create: async () => {
        last = `bk-test-${suffix()}`;
        made.names.push(`${last}:stream`);
        const proxy = await made.proxy(port);
        const bus = new Bus({
          port: proxy.port,
          channelPrefix: last,
          reconnect: fast,
          ...window,
        });
        proxies.set(bus, proxy);
        return bus;
      },
      createPeer: () => new Bus({ port, channelPrefix: last, ...window }),
      disconnect: async (bus) => (proxies.get(bus) as TcpProxy).cut(/XREAD/),
      ...restarts,
    },
  });
}

/**
 * The umbrella over `PostgresEventBus`es on `port` (database `database`), through a proxy; `Bus`
 * is the real class unless given (the mutant kit gives a patched one).
 */
export function postgresSuite(
  h: TestHarness,
  name: string,
  port: number,
  database: string,
  restarts?: Restarts,
  Bus: typeof PostgresEventBus = PostgresEventBus,
): void {
  const made = resources(h);
  const proxies = new WeakMap<EventBus, TcpProxy>();
  let last = "";
  h.afterEach(async () => dropEventTables(port, database, made.names.splice(0)));
  const options = (to: number) => ({
    host: "127.0.0.1",
    port: to,
    user: "postgres",
    database,
    channelPrefix: last,
    table: `${last}_log`,
    reconnect: fast,
    ...(restarts ? { replayWindow: restarts.replayWindow } : {}),
  });
  conformance(h, {
    name,
    eventBus: {
      capabilities: { maxEventBytes: 7900 },
      create: async () => {
        last = `bk_test_${suffix()}`;
        made.names.push(`${last}_log`);
        const proxy = await made.proxy(port);
        const bus = new Bus(options(proxy.port));
        proxies.set(bus, proxy);
        return bus;
      },
      createPeer: () => new Bus(options(port)),
      disconnect: async (bus) => (proxies.get(bus) as TcpProxy).cut(/listen "/i),
      ...restarts,
    },
  });
}

/** Registers the suites of the buses whose server answered (the others skip, or fail in CI). */
export function runBusSuites(h: TestHarness, runtime: string, up: ServicesUp): void {
  withService(h, REDIS, up.redis, () =>
    h.describe(`RedisEventBus on ${REDIS.host}:${REDIS.port}`, () =>
      redisSuite(h, `redis (${runtime})`, REDIS.port),
    ),
  );
  withService(h, POSTGRES, up.postgres, () =>
    h.describe(`PostgresEventBus on ${POSTGRES.host}:${POSTGRES.port}`, () =>
      postgresSuite(h, `postgres (${runtime})`, POSTGRES.port, "test"),
    ),
  );
}
