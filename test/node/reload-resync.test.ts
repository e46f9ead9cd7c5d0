// The resync after a reconnect, through a real one: a cache reads a registry over HTTP and follows
// its event stream (SSE or WebSocket); the server stops, a bot is written while the client is cut
// off, and a new server process's app (with no memory of the stream) starts on the same port over
// the same registry. The remote bus reconnects and says `reconnected: true`: a HYBRID hot reload
// polls at once and finds the write (its next poll is an hour away), an EVENT_DRIVEN one drops
// the whole cache. Without the resync in HotReloadManager both cases time out.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import type { EventBus } from "../../src/core/events/types.ts";
import { WebSocketEventBus } from "../../src/core/events/ws-bus.ts";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import { HotReloadManager, InMemoryBackend, ReloadMode } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually, RecordingManager } from "../../src/testing/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

const fast = { initialDelayMs: 20, maxDelayMs: 200 };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The server side: a registry publishing on its bus, served by an app that can be restarted. */
async function server() {
  const serverBus = new InMemoryEventBus();
  const registry = new InMemoryBackend({ eventBus: serverBus });
  // Each start is a new app: its stream history starts empty, as after a process restart.
  const app = () => createApp({ registry, eventBus: serverBus, upgradeWebSocket });
  let served: Served = await listen(app());
  const port = served.port;
  cleanup.push(() => served.close());
  return {
    registry,
    url: served.url,
    stop: () => served.close(),
    start: async () => {
      served = await listen(app(), port);
    },
  };
}

const TRANSPORTS: [string, (url: string) => EventBus & { reconnects: number }][] = [
  ["SSE", (baseUrl) => new SSEEventBus({ baseUrl, reconnect: fast })],
  [
    "WebSocket",
    (baseUrl) =>
      new WebSocketEventBus({
        baseUrl,
        reconnect: fast,
        connect: (url, headers) => new WebSocket(url, { headers }),
      }),
  ],
];

async function following(url: string, bus: EventBus, mode: ReloadMode) {
  const backend = new HTTPRegistryBackend({ baseUrl: url });
  // No bus on the manager: only the hot reload may invalidate.
  const manager = new RecordingManager({ backend });
  await manager.initialize();
  const hot = new HotReloadManager({
    cachingManager: manager,
    eventBus: bus,
    mode,
    pollingInterval: 3600,
  });
  await hot.initialize();
  cleanup.push(
    () => bus.close(),
    () => manager.close(),
    () => hot.shutdown(),
  );
  return { manager, hot };
}

describe("resync after a real reconnect", () => {
  for (const [transport, makeBus] of TRANSPORTS) {
    it(`HYBRID over ${transport}: a write made while cut off is found by a poll at once; the rest stays cached`, async () => {
      const s = await server();
      await s.registry.register("bot-1", { v: 1 });
      await s.registry.register("bot-2", { v: 1 });
      const bus = makeBus(s.url);
      const { manager, hot } = await following(s.url, bus, ReloadMode.HYBRID);
      const unchanged = await manager.getOrCreate("bot-2");
      const before = await manager.getOrCreate("bot-1");
      expect(before.config).toEqual({ v: 1 });

      await s.stop();
      await s.registry.register("bot-1", { v: 2 });
      await s.start();

      await eventually(() => bus.reconnects === 1, 10_000);
      await eventually(() => !manager.isCached("bot-1"), 10_000);
      expect(before.destroyed).toBe(1);
      expect(hot.getStats().invalidations).toBe(1);
      expect(await manager.getOrCreate("bot-2")).toBe(unchanged);
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
    }, 30_000);

    it(`EVENT_DRIVEN over ${transport}: the whole cache is dropped, changed or not`, async () => {
      const s = await server();
      await s.registry.register("bot-1", { v: 1 });
      await s.registry.register("bot-2", { v: 1 });
      const bus = makeBus(s.url);
      const { manager, hot } = await following(s.url, bus, ReloadMode.EVENT_DRIVEN);
      await manager.getOrCreate("bot-1");
      await manager.getOrCreate("bot-2");

      await s.stop();
      await s.registry.register("bot-1", { v: 2 });
      await s.start();

      await eventually(() => manager.cacheSize === 0, 10_000);
      expect(bus.reconnects).toBe(1);
      expect(manager.created.map((b) => [b.botId, b.destroyed])).toEqual([
        ["bot-1", 1],
        ["bot-2", 1],
      ]);
      expect(hot.getStats().invalidations).toBe(2);
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
    }, 30_000);
  }
});
