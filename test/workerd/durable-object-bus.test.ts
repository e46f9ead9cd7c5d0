// DurableObjectEventBus and the EventHub Durable Object inside workerd: the event-bus suite, an
// idle subscriber while the object is evicted (hibernation), a restart while subscribers are
// connected (they reconnect, get what they missed from the stored window and are told to
// resynchronise); a short disconnect and restarts after the window was trimmed are the suite's
// resume cases (hub-buses.ts gives it the hooks).
import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DurableObjectEventBus,
  REPLAY_WINDOW,
  REPLAY_WINDOW_BYTES,
} from "../../src/adapters/durable-object/index.ts";
import {
  CachingRegistryManager,
  Event,
  EventType,
  HotReloadManager,
  InMemoryBackend,
  type JsonObject,
  ReloadMode,
} from "../../src/index.ts";
import { conformance, eventually } from "../../src/testing/index.ts";
import { hubBuses } from "./hub-buses.ts";

let hubName = "";
const hub = hubBuses(env.EVENTS, () => hubName);
const bus = (): DurableObjectEventBus => hub.bus();
const stub = () => env.EVENTS.get(env.EVENTS.idFromName(hubName));
const ev = (topic: string, payload: Record<string, unknown> = {}): Event =>
  new Event({ type: EventType.UPDATED, topic, payload });

beforeEach(() => {
  hubName = `hub-${crypto.randomUUID()}`;
});
afterEach(() => hub.closeAll());

conformance(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "DurableObjectEventBus inside workerd",
    // With the resume hooks: a bus filtered by topics, a disconnect held open, a hub restart.
    eventBus: { ...hub.suiteOptions },
  },
);

describe("EventHub (Durable Object) inside workerd", () => {
  it("an idle subscriber stays connected while the object is evicted (hibernation)", async () => {
    const subscriber = bus();
    const got: Event[] = [];
    await subscriber.subscribe("registry:bots", (e) => void got.push(e));
    await evictDurableObject(stub());
    await bus().publish("registry:bots", ev("registry:bots", { bot_id: "a" }));
    await eventually(() => got.length === 1);
    expect(got[0]?.payload.bot_id).toBe("a");
    expect(subscriber.reconnects).toBe(0);
  });

  it("a wake from hibernation is no restart: a client resuming across it needs no resync", async () => {
    const subscriber = bus();
    const got: Event[] = [];
    await subscriber.subscribe("t:h", (e) => void got.push(e));
    const sent = ev("t:h");
    await bus().publish("t:h", sent);
    await eventually(() => got.length === 1);
    await evictDurableObject(stub());
    const response = await stub().fetch(`https://hub/?last_event_id=${sent.eventId}`, {
      headers: { upgrade: "websocket" },
    });
    const socket = response.webSocket as NonNullable<typeof response.webSocket>;
    const frames: { kind: string; resumed?: boolean }[] = [];
    socket.addEventListener("message", (m) => void frames.push(JSON.parse(String(m.data))));
    socket.accept();
    try {
      await eventually(() => frames.some((f) => f.kind === "ready"));
      expect(frames.find((f) => f.kind === "ready")?.resumed).toBe(true);
    } finally {
      socket.close(1000, "done");
    }
  });

  it("a restart: subscribers reconnect, get the missed events and are told to resynchronise", async () => {
    const subscriber = bus();
    const got: Event[] = [];
    await subscriber.subscribe("registry:*", (e) => void got.push(e), { pattern: "registry:*" });
    const publisher = bus();
    await publisher.publish("registry:bots", ev("registry:bots", { n: 1 }));
    await eventually(() => got.length === 1);
    await abortAllDurableObjects();
    // Published while the subscriber is away: it is in the stored window.
    await publisher.publish("registry:bots", ev("registry:bots", { n: 2 }));
    await eventually(() => got.some((e) => e.payload.reconnected === true), 10_000);
    expect(subscriber.reconnects).toBeGreaterThanOrEqual(1);
    const numbered = got.filter((e) => e.payload.n !== undefined).map((e) => e.payload.n);
    expect(numbered).toEqual([1, 2]);
    // The notice comes after the replayed event.
    expect(got.findIndex((e) => e.payload.reconnected === true)).toBeGreaterThan(
      got.findIndex((e) => e.payload.n === 2),
    );
  });

  it("keeps the last REPLAY_WINDOW events in storage, oldest dropped", async () => {
    const publisher = bus();
    const ids: string[] = [];
    for (let i = 0; i < REPLAY_WINDOW + 5; i++) {
      const e = ev("t:w", { i });
      ids.push(e.eventId);
      await publisher.publish("t:w", e);
    }
    const stored = await runInDurableObject(stub(), async (_hub, state) => [
      ...(await state.storage.list<{ event: { event_id: string } }>({ prefix: "w:" })).values(),
    ]);
    expect(stored.map((s) => s.event.event_id)).toEqual(ids.slice(5));
    // A client whose last event fell out of the window must resynchronise.
    const late = bus();
    const got: Event[] = [];
    await late.subscribe("t:w", (e) => void got.push(e));
    expect(got).toEqual([]);
  });

  it("refuses bad input: a plain GET, bad topics, a non-event body", async () => {
    const hub = stub();
    const plain = await hub.fetch("https://hub/");
    expect(plain.status).toBe(426);
    const topics = await hub.fetch("https://hub/?topics=,,", { headers: { upgrade: "websocket" } });
    expect(topics.status).toBe(400);
    const body = await hub.fetch("https://hub/", { method: "POST", body: '{"type":1}' });
    expect(body.status).toBe(400);
    expect(((await body.json()) as { error: { code: string } }).error.code).toBe("VALIDATION");
  });
});

describe("EventHub window bounds", () => {
  it("holds at most REPLAY_WINDOW_BYTES of events: big ones push the oldest out", async () => {
    const publisher = bus();
    const big = "x".repeat(1024 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const e = ev("t:big", { i, big });
      ids.push(e.eventId);
      await publisher.publish("t:big", e);
    }
    const stored = await runInDurableObject(stub(), async (_hub, state) => [
      ...(await state.storage.list<{ event: { event_id: string } }>({ prefix: "w:" })).values(),
    ]);
    const kept = stored.map((s) => s.event.event_id);
    expect(kept.length).toBeLessThan(10);
    expect(kept.length * (1024 * 1024)).toBeLessThanOrEqual(REPLAY_WINDOW_BYTES);
    expect(kept).toEqual(ids.slice(10 - kept.length));
  });
});

describe("HYBRID hot reload across a hub restart", () => {
  it("an update whose event was lost while the hub was down is still picked up", async () => {
    // The registry publishes nothing: the update below stands for a write whose publish failed
    // while the hub was down. Only the resynchronisation (a poll on the reconnect notice) finds it.
    const backend = new InMemoryBackend();
    class Manager extends CachingRegistryManager<JsonObject> {
      protected async createInstance(_id: string, config: JsonObject): Promise<JsonObject> {
        return config;
      }
    }
    const manager = new Manager({ backend, cacheTtl: 3600, maxCacheSize: 10 });
    await manager.initialize();
    const subscriber = bus();
    const reload = new HotReloadManager({
      cachingManager: manager,
      backend,
      eventBus: subscriber,
      mode: ReloadMode.HYBRID,
      pollInterval: 3600,
    });
    await reload.initialize();
    try {
      await backend.register("h-bot", { model: "v1" });
      expect((await manager.getOrCreate("h-bot")).model).toBe("v1");
      await bus().publish("registry:bots", ev("registry:bots", { bot_id: "other" }));
      await abortAllDurableObjects();
      await backend.update("h-bot", { model: "v2" });
      await eventually(async () => (await manager.getOrCreate("h-bot")).model === "v2", 10_000);
      expect(subscriber.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await reload.close();
    }
  });
});
