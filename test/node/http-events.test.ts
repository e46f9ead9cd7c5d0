// The SSE event bus against createApp's /events on Node: the EventBus conformance suite (two
// clients of one server are peers), reconnection after a server restart, and the SSE parser.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { SseParser } from "../../src/core/events/sse-parser.ts";
import { Event, EventType, InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventBusSuite, eventually } from "../../src/testing/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

let served: Served;
const opened: SSEEventBus[] = [];
const client = (
  options: Partial<ConstructorParameters<typeof SSEEventBus>[0]> = {},
): SSEEventBus => {
  const bus = new SSEEventBus({ baseUrl: served.url, authToken: "rw", ...options });
  opened.push(bus);
  return bus;
};

beforeAll(async () => {
  const bus = new InMemoryEventBus();
  served = await listen(
    createApp({
      registry: new InMemoryBackend({ eventBus: bus }),
      eventBus: bus,
      auth: { tokens: ["rw"] },
    }),
  );
});
afterAll(async () => {
  for (const bus of opened) await bus.close();
  await served.close();
});

eventBusSuite(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "SSEEventBus → createApp /events (Node)",
    create: () => client(),
    createPeer: () => client(),
  },
);

describe("SSEEventBus", () => {
  it("connect - a wrong token fails the first connection with the HTTP status", async () => {
    const bus = client({ authToken: "wrong" });
    const error = await bus.connect().catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(401);
  });

  it("topics - the server only streams the requested globs", async () => {
    const bus = client({ topics: ["registry:*"] });
    const got: string[] = [];
    await bus.subscribe("all", (e) => void got.push(e.topic), { pattern: "*" });
    await bus.publish(
      "knowledge:ingestion",
      new Event({ type: EventType.UPDATED, topic: "knowledge:ingestion" }),
    );
    await bus.publish(
      "registry:bots",
      new Event({ type: EventType.UPDATED, topic: "registry:bots" }),
    );
    await eventually(() => got.length === 1);
    expect(got).toEqual(["registry:bots"]);
  });

  it("reconnect - after a server restart it resubscribes and says so with reconnected: true", async () => {
    const serverBus = new InMemoryEventBus();
    const app = createApp({
      registry: new InMemoryBackend(),
      eventBus: serverBus,
      heartbeatSeconds: 1,
    });
    let first = await listen(app);
    const port = first.port;
    const bus = new SSEEventBus({
      baseUrl: first.url,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    opened.push(bus);
    const got: Event[] = [];
    await bus.subscribe("registry:bots", (e) => void got.push(e));
    await first.close();
    first = await listen(app, port);
    try {
      await eventually(() => got.some((e) => e.payload.reconnected === true), 10_000);
      expect(got.find((e) => e.payload.reconnected)?.type).toBe("custom");
      expect(bus.reconnects).toBe(1);
      await serverBus.publish(
        "registry:bots",
        new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: "x" } }),
      );
      await eventually(() => got.some((e) => e.payload.bot_id === "x"));
    } finally {
      await bus.close();
      await first.close();
    }
  });
});

describe("SseParser", () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it("joins data lines, keeps ids, ignores comments, any line ending", () => {
    const p = new SseParser();
    const out = [
      ...p.push(enc(": hello\r\nid: 7\r\nevent: ready\r\ndata: a\r")),
      ...p.push(enc("\ndata: b\r\n\r\ndata: c\n\n")),
      ...p.push(enc("data: d\r\r")),
    ];
    expect(out).toEqual([
      { event: "ready", data: "a\nb", id: "7" },
      { event: "message", data: "c", id: "7" },
      { event: "message", data: "d", id: "7" },
    ]);
  });

  it("a multi-byte character split across chunks survives", () => {
    const p = new SseParser();
    const bytes = enc("data: é🙂\n\n");
    const out = [...p.push(bytes.subarray(0, 8)), ...p.push(bytes.subarray(8))];
    expect(out[0]?.data).toBe("é🙂");
  });
});
