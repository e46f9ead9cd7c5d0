// Inside Chromium: the browser's own fetch, EventSource-free SSE reading and WebSocket against a
// real botknobs server on Node (test/browser/api-server.ts): the event-bus suite over both
// transports, and a browser-side cache invalidated by a write made elsewhere.
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import {
  CachingRegistryManager,
  type EventBus,
  HTTPRegistryBackend,
  type JsonObject,
  SSEEventBus,
  WebSocketEventBus,
} from "../../src/index.ts";
import { eventBusSuite, eventually } from "../../src/testing/index.ts";
import { type NetworkFetch, networkFetch } from "../fixtures/network-fetch.ts";

const baseUrl = inject("apiUrl");
const h = { describe, it, expect, beforeEach, afterEach };

// Each SSE bus reads through a fetch that cuts its stream into TCP-segment pieces and whose
// streams the suite's `disconnect` drops: the server's event history resumes it (the resume cases run).
const links = new WeakMap<EventBus, NetworkFetch>();
const sse = (topics?: string[]): SSEEventBus => {
  const link = networkFetch();
  const bus = new SSEEventBus({
    baseUrl,
    fetch: link.fetch,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...(topics ? { topics } : {}),
  });
  links.set(bus, link);
  return bus;
};
eventBusSuite(h, {
  name: "SSEEventBus from Chromium → createApp on Node",
  create: () => sse(),
  createPeer: () => sse(),
  createFiltered: (topics) => sse(topics),
  disconnect: (bus) => (links.get(bus) as NetworkFetch).drop(),
});

eventBusSuite(h, {
  name: "WebSocketEventBus (the browser's WebSocket) → createApp on Node",
  create: () => new WebSocketEventBus({ baseUrl }),
  createPeer: () => new WebSocketEventBus({ baseUrl }),
});

class Instances extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

describe("a cache in the browser", () => {
  for (const [name, bus] of [
    ["SSE", () => new SSEEventBus({ baseUrl, topics: ["registry:*"] })],
    ["WebSocket", () => new WebSocketEventBus({ baseUrl, topics: ["registry:*"] })],
  ] as const) {
    it(`drops an instance when another client writes the bot (${name})`, async () => {
      const id = `browser-${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`;
      const eventBus = bus();
      const manager = new Instances({ backend: new HTTPRegistryBackend({ baseUrl }), eventBus });
      await manager.initialize();
      const writer = new HTTPRegistryBackend({ baseUrl });
      try {
        await writer.register(id, { v: 1 });
        expect((await manager.getOrCreate(id)).v).toBe(1);
        await writer.register(id, { v: 2 });
        await eventually(() => !manager.isCached(id));
        expect((await manager.getOrCreate(id)).v).toBe(2);
      } finally {
        await writer.unregister(id);
        await manager.close();
        await eventBus.close();
      }
    });
  }
});
