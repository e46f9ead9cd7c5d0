// The Worker's /events through the EventHub Durable Object (Server-Sent Events and WebSocket,
// resuming with Last-Event-ID), hot reload of a cache outside the Worker's isolate state driven
// only by the hub, and the cron trigger's poll.
import { abortAllDurableObjects } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { DurableObjectEventBus } from "../../src/adapters/cloudflare/index.ts";
import { WebSocketEventBus, type WebSocketLike } from "../../src/core/events/ws-bus.ts";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import {
  CachingRegistryManager,
  type Event,
  HotReloadManager,
  type JsonObject,
  ReloadMode,
} from "../../src/index.ts";
import { eventually } from "../../src/testing/index.ts";
import worker from "../../worker/index.ts";

const call = (path: string, init?: RequestInit): Promise<Response> =>
  exports.default.fetch(`https://botknobs.test${path}`, init);
const putBot = (id: string, model: string): Promise<Response> =>
  call(`/bots/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ config: { llm: { model } } }),
  });

/** Reads a Server-Sent Events body until `needle` shows. */
function reader(response: Response) {
  const r = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    get text() {
      return text;
    },
    async until(needle: string): Promise<string> {
      while (!text.includes(needle)) {
        const { value, done } = await r.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    cancel: () => r.cancel(),
  };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("the Worker's /events through the Durable Object", () => {
  it("Server-Sent Events: ready, then a PUT of another request; resumes with Last-Event-ID", async () => {
    const stream = reader(await call("/events?topics=registry:*"));
    closers.push(() => stream.cancel());
    await stream.until("event: ready");
    expect((await putBot("sse-bot", "m1")).status).toBe(200);
    const text = await stream.until('"bot_id":"sse-bot"');
    const lastId = /id: (\S+)\ndata: [^\n]*"bot_id":"sse-bot"/.exec(text)?.[1] as string;
    expect(lastId).toBeTruthy();
    await stream.cancel();
    expect((await putBot("sse-bot", "m2")).status).toBe(200);
    const resumed = reader(
      await call("/events?topics=registry:*", { headers: { "last-event-id": lastId } }),
    );
    closers.push(() => resumed.cancel());
    const again = await resumed.until("event: ready");
    // The missed update came before the ready frame, which says so.
    expect(again).toMatch(/"version":2[\s\S]*event: ready\ndata: \{[^\n]*"resumed":true/);
  });

  it("a hub restart ends an SSE stream; resuming after it says resumed: false", async () => {
    const stream = reader(await call("/events?topics=registry:*"));
    closers.push(() => stream.cancel());
    await stream.until("event: ready");
    await putBot("restart-bot", "m1");
    const text = await stream.until('"bot_id":"restart-bot"');
    const lastId = /id: (\S+)\ndata: [^\n]*"bot_id":"restart-bot"/.exec(text)?.[1] as string;
    await abortAllDurableObjects();
    // The stream ends (EventSource would reconnect with Last-Event-ID).
    await expect(stream.until("never")).rejects.toThrow(/stream ended/);
    await putBot("restart-bot", "m2");
    const again = reader(
      await call("/events?topics=registry:*", { headers: { "last-event-id": lastId } }),
    );
    closers.push(() => again.cancel());
    const resumed = await again.until("event: ready");
    expect(resumed).toMatch(/"version":2[\s\S]*event: ready\ndata: \{[^\n]*"resumed":false/);
  });

  it("WebSocket: a WebSocketEventBus hears PUTs and POST /events through the Worker", async () => {
    const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
      exports.default.fetch(new Request(input, init));
    const bus = new WebSocketEventBus({
      baseUrl: "https://botknobs.test",
      fetch,
      connect: async (url) => {
        const response = await fetch(url.replace(/^ws/, "http"), {
          headers: { upgrade: "websocket" },
        });
        const socket = (response as Response & { webSocket?: WebSocketLike & { accept(): void } })
          .webSocket;
        if (!socket) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        socket.accept();
        return socket;
      },
    });
    closers.push(() => bus.close());
    const got: Event[] = [];
    await bus.subscribe("registry:bots", (e) => void got.push(e));
    await putBot("ws-bot", "m1");
    await eventually(() => got.some((e) => e.payload.bot_id === "ws-bot"));
    const posted = await call("/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "custom", topic: "registry:bots", payload: { hello: 1 } }),
    });
    expect(posted.status).toBe(202);
    await eventually(() => got.some((e) => e.payload.hello === 1));
    const bad = await call("/events", { method: "POST", body: '{"type":"nope"}' });
    expect(bad.status).toBe(400);
    // The Worker holds events to the server's cap (EVENT_LIMITS.maxEventBytes, 64 KiB): 413.
    const large = await call("/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "custom", topic: "t", payload: { x: "y".repeat(70_000) } }),
    });
    expect(large.status).toBe(413);
    const forged = await call("/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "custom", topic: "t", event_id: "a\nevent: ready" }),
    });
    expect(forged.status).toBe(400);
    const topics = await call("/events?topics=,,,");
    expect(topics.status).toBe(400);
    expect(((await topics.json()) as { error: { code: string } }).error.code).toBe("VALIDATION");
  });

  it("hot reload: a PUT through the Worker invalidates a cache that only the hub connects", async () => {
    class Bot {
      readonly config: JsonObject;
      constructor(config: JsonObject) {
        this.config = config;
      }
    }
    class Manager extends CachingRegistryManager<Bot> {
      created = 0;
      protected async createInstance(_id: string, config: JsonObject): Promise<Bot> {
        this.created++;
        return new Bot(config);
      }
    }
    const backend = new HTTPRegistryBackend({
      baseUrl: "https://botknobs.test",
      fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    });
    const eventBus = new DurableObjectEventBus({ namespace: env.EVENTS });
    closers.push(() => eventBus.close());
    const manager = new Manager({ backend, cacheTtl: 3600, maxCacheSize: 10 });
    await manager.initialize();
    const reload = new HotReloadManager({
      cachingManager: manager,
      backend,
      eventBus,
      mode: ReloadMode.EVENT_DRIVEN,
    });
    await reload.initialize();
    closers.push(() => reload.close());
    await putBot("cached-bot", "v1");
    const first = await manager.getOrCreate("cached-bot");
    expect(await manager.getOrCreate("cached-bot")).toBe(first);
    await putBot("cached-bot", "v2");
    await eventually(async () => {
      const bot = await manager.getOrCreate("cached-bot");
      return (bot.config.llm as JsonObject).model === "v2";
    });
    expect(manager.created).toBe(2);
  });

  it("the cron trigger polls the registry and announces changes through the hub", async () => {
    const listener = new DurableObjectEventBus({ namespace: env.EVENTS });
    closers.push(() => listener.close());
    const got: Event[] = [];
    await listener.subscribe("registry:changes", (e) => void got.push(e));
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as never;
    const controller = { cron: "*/5 * * * *", scheduledTime: Date.now(), noRetry() {} } as never;
    await worker.scheduled(controller, env, ctx); // the baseline
    const put = await worker.fetch(
      new Request("https://botknobs.test/bots/cron-bot", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ config: { llm: { model: "c1" } } }),
      }),
      env,
      ctx,
    );
    expect(put.status).toBe(200);
    await worker.scheduled(controller, env, ctx);
    await eventually(() => got.some((e) => e.payload.bot_id === "cron-bot"));
    expect(got.find((e) => e.payload.bot_id === "cron-bot")?.type).toBe("created");
  });

  it("with BOTKNOBS_TOKENS set, /events and the API need a bearer token", async () => {
    const authed = { ...env, BOTKNOBS_TOKENS: "t0ken", BOTKNOBS_READ_TOKENS: "reader" };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as never;
    const req = (path: string, init: RequestInit = {}) =>
      worker.fetch(new Request(`https://botknobs.test${path}`, init), authed, ctx);
    expect((await req("/events")).status).toBe(401);
    expect((await req("/events", { headers: { upgrade: "websocket" } })).status).toBe(401);
    expect((await req("/bots")).status).toBe(401);
    const publish = (token: string) =>
      req("/events", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "custom", topic: "t:auth" }),
      });
    expect((await publish("reader")).status).toBe(403);
    expect((await publish("t0ken")).status).toBe(202);
    const stream = reader(await req("/events", { headers: { authorization: "Bearer reader" } }));
    closers.push(() => stream.cancel());
    await stream.until("event: ready");
  });
});
