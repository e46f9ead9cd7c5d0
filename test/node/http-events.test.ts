// The event stream on Node beyond the shared suites: auth and topic filtering, reconnection after
// a server restart (SSE and WebSocket), the WebSocket frames, and the SSE parser.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { SseParser } from "../../src/core/events/sse-parser.ts";
import { WebSocketEventBus } from "../../src/core/events/ws-bus.ts";
import type { ServerFrame } from "../../src/core/events/ws-frames.ts";
import {
  AdapterError,
  Event,
  EventType,
  InMemoryBackend,
  InMemoryEventBus,
  UnsupportedError,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

const fast = { initialDelayMs: 20, maxDelayMs: 200 };

let served: Served;
const opened: { close(): Promise<void> }[] = [];

/** A served app with WebSocket upgrades, and a client bus (from `make`) subscribed to registry:bots. */
async function subscribed(make: (baseUrl: string) => SSEEventBus | WebSocketEventBus) {
  const serverBus = new InMemoryEventBus();
  const app = createApp({
    registry: new InMemoryBackend(),
    eventBus: serverBus,
    heartbeatSeconds: 1,
    upgradeWebSocket,
  });
  const server = await listen(app);
  const bus = make(server.url);
  opened.push(bus);
  const got: Event[] = [];
  await bus.subscribe("registry:bots", (e) => void got.push(e));
  return { serverBus, app, server, bus, got };
}

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

// The event-bus suite over SSE and WebSocket runs in the served suites (http-registry.test.ts).

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

  for (const [name, make] of [
    ["SSEEventBus", (baseUrl: string) => new SSEEventBus({ baseUrl, reconnect: fast })],
    [
      "WebSocketEventBus",
      (baseUrl: string) =>
        new WebSocketEventBus({
          baseUrl,
          reconnect: fast,
          connect: (url, headers) => new WebSocket(url, { headers }),
        }),
    ],
  ] as const) {
    it(`resume - ${name}: events published while it was cut off arrive on reconnect, with no resync notice`, async () => {
      const setup = await subscribed(make);
      const { serverBus, app, bus, got } = setup;
      let server = setup.server;
      const port = server.port;
      const publish = (n: number) =>
        serverBus.publish(
          "registry:bots",
          new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { n } }),
        );
      try {
        await publish(1);
        await eventually(() => got.length === 1);
        await server.close();
        await publish(2);
        await serverBus.publish(
          "knowledge:ingestion",
          new Event({ type: EventType.UPDATED, topic: "knowledge:ingestion", payload: { n: 99 } }),
        );
        await publish(3);
        server = await listen(app, port);
        await eventually(() => bus.reconnects === 1 && got.length >= 3, 10_000);
        await publish(4);
        await eventually(() => got.length >= 4);
        expect(got.map((e) => e.payload.n ?? e.payload)).toEqual([1, 2, 3, 4]);
      } finally {
        await bus.close();
        await server.close();
      }
    });

    it(`reconnect - ${name}: after a server restart it resubscribes and says so with reconnected: true`, async () => {
      const setup = await subscribed(make);
      const { serverBus, app, bus, got } = setup;
      let first = setup.server;
      const port = first.port;
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
  }
});

describe("resuming the event stream", () => {
  it("Last-Event-ID (as EventSource sends it): the missed events matching the topics come first; an id the server no longer has gives resumed: false", async () => {
    const serverBus = new InMemoryEventBus();
    const server = await listen(
      createApp({ registry: new InMemoryBackend(), eventBus: serverBus, eventHistory: 3 }),
    );
    const read = async (lastEventId: string): Promise<string> => {
      const response = await fetch(`${server.url}/events?topics=registry:*`, {
        headers: { "last-event-id": lastEventId },
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while (!text.includes("event: ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      return text;
    };
    try {
      await read("nothing-yet"); // the first stream starts the history
      const events = [1, 2, 3, 4, 5].map(
        (n) =>
          new Event({
            type: EventType.UPDATED,
            topic: n === 3 ? "knowledge:ingestion" : "registry:bots",
            payload: { n },
          }),
      );
      for (const e of events) await serverBus.publish(e.topic, e);
      // The history keeps exactly the last 3 (3, 4, 5): resuming after 3 (another topic) gives 4, 5.
      const resumed = await read(events[2]?.eventId as string);
      const frames = resumed.split("\n\n").filter((f) => f.startsWith("id: "));
      expect(frames.map((f) => JSON.parse(f.split("data: ")[1] as string).payload.n)).toEqual([
        4, 5,
      ]);
      expect(resumed).toContain('"resumed":true');
      // Only the last 3 are kept (eventHistory: 3): the first is long gone.
      for (let n = 6; n <= 8; n++)
        await serverBus.publish(
          "registry:bots",
          new Event({ type: EventType.UPDATED, topic: "registry:bots" }),
        );
      const lost = await read(events[0]?.eventId as string);
      expect(lost).toContain('"resumed":false');
      expect(lost.includes("id: ")).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe("the WebSocket event stream (Node)", () => {
  const frames = async (
    socket: WebSocket,
    until: (f: ServerFrame[]) => boolean,
  ): Promise<ServerFrame[]> => {
    const got: ServerFrame[] = [];
    socket.on("message", (data) => got.push(JSON.parse(String(data)) as ServerFrame));
    await eventually(() => until(got));
    return got;
  };

  it("frames - ready first, events, heartbeats, pong for a ping, an error frame for anything else", async () => {
    const serverBus = new InMemoryEventBus();
    const served = await listen(
      createApp({
        registry: new InMemoryBackend({ eventBus: serverBus }),
        eventBus: serverBus,
        heartbeatSeconds: 0.05,
        upgradeWebSocket,
      }),
    );
    const socket = new WebSocket(`${served.url.replace("http", "ws")}/events?topics=registry:*`);
    try {
      const got: ServerFrame[] = [];
      socket.on("message", (data) => got.push(JSON.parse(String(data)) as ServerFrame));
      await eventually(() => got.length > 0);
      expect(got[0]).toEqual({ kind: "ready", topics: ["registry:*"], resumed: false });
      await new InMemoryBackend({ eventBus: serverBus }).register("bot-1", { v: 1 });
      socket.send(JSON.stringify({ kind: "ping" }));
      socket.send("not json");
      await eventually(
        () =>
          got.some((f) => f.kind === "event") &&
          got.some((f) => f.kind === "pong") &&
          got.some((f) => f.kind === "error") &&
          got.filter((f) => f.kind === "ping").length >= 2,
      );
      const event = got.find((f) => f.kind === "event");
      expect(event?.kind === "event" && event.event.payload).toEqual({
        bot_id: "bot-1",
        version: 1,
      });
      const error = got.find((f) => f.kind === "error");
      expect(error?.kind === "error" && error.error.code).toBe("VALIDATION");
    } finally {
      socket.close();
      await served.close();
    }
  });

  it("a server without upgradeWebSocket refuses the handshake with 501; the client says so", async () => {
    const served = await listen(
      createApp({ registry: new InMemoryBackend(), eventBus: new InMemoryEventBus() }),
    );
    try {
      const bus = new WebSocketEventBus({
        baseUrl: served.url,
        connect: (url, headers) => new WebSocket(url, { headers }),
      });
      const error = (await bus.connect().catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(AdapterError);
      expect(error.message).toContain("501");
      // Without a `connect`, Node 20 has no global WebSocket: a clear error, not a crash.
      if (!("WebSocket" in globalThis)) {
        const bare = new WebSocketEventBus({ baseUrl: served.url });
        const e = (await bare.connect().catch((x: unknown) => x)) as Error;
        expect(e).toBeInstanceOf(UnsupportedError);
        expect(e.message).toContain("ws");
      }
    } finally {
      await served.close();
    }
  });

  it("closing the socket ends the server's subscriptions", async () => {
    const serverBus = new InMemoryEventBus();
    const served = await listen(
      createApp({ registry: new InMemoryBackend(), eventBus: serverBus, upgradeWebSocket }),
    );
    try {
      const socket = new WebSocket(`${served.url.replace("http", "ws")}/events`);
      await frames(socket, (f) => f.some((x) => x.kind === "ready"));
      // The socket's own subscription, and the server's event history.
      expect(serverBus.subscriptionCount).toBe(2);
      socket.close();
      await eventually(() => serverBus.subscriptionCount === 1);
    } finally {
      await served.close();
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
