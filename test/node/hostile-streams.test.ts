// Slow event-stream readers against the real Node server: a client that stops reading (SSE over a
// raw socket, or a paused WebSocket) is cut off once it is maxQueuedEventBytes behind, and its
// subscription goes with it; a frame is shared by every client.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { Event, EventType, InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { socketFrame, socketFrameBytes, sseFrame } from "../../src/server/event-frames.ts";
import { eventSocket } from "../../src/server/event-socket.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function served(): Promise<{ bus: InMemoryEventBus; server: Served }> {
  const bus = new InMemoryEventBus();
  const server = await listen(
    createApp({
      registry: new InMemoryBackend({ eventBus: bus }),
      eventBus: bus,
      upgradeWebSocket,
      limits: { maxQueuedEventBytes: 256 * 1024 },
    }),
  );
  cleanup.push(() => server.close());
  return { bus, server };
}

const big = (i: number): Event =>
  new Event({ type: EventType.CUSTOM, topic: "load", payload: { i, blob: "q".repeat(60_000) } });

describe("slow event-stream readers (Node server)", () => {
  it("SSE - a client that stops reading is cut off and its subscription released", async () => {
    const { bus, server } = await served();
    // The history's one subscription stays; the client's goes.
    const base = bus.subscriptionCount + 1;
    const socket: Socket = connect(server.port, "127.0.0.1");
    cleanup.push(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    let received = "";
    const onData = (chunk: Buffer): void => {
      received += chunk.toString("latin1");
      if (received.includes("event: ready")) {
        socket.off("data", onData);
        socket.pause(); // reads nothing from here on
      }
    };
    socket.on("data", onData);
    await eventually(() => bus.subscriptionCount > base);
    expect(bus.subscriptionCount).toBe(base + 1);
    // ~60 KB per event, 600 events (~36 MB): far past the kernel's buffers and the 256 KiB queue.
    for (let i = 0; i < 600 && bus.subscriptionCount > base; i++) {
      await bus.publish("load", big(i));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(() => bus.subscriptionCount === base, 10_000);
    expect(bus.subscriptionCount).toBe(base);
  });

  it("WebSocket - a client that stops reading is closed and its subscription released", async () => {
    const { bus, server } = await served();
    const base = bus.subscriptionCount + 1;
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/events`);
    cleanup.push(() => socket.terminate());
    await new Promise<void>((resolve) => socket.once("message", () => resolve()));
    socket.pause();
    expect(bus.subscriptionCount).toBe(base + 1);
    // ~12 MB: past the kernel buffers and 256 KiB, short of the old 16 MiB bound.
    for (let i = 0; i < 200 && bus.subscriptionCount > base; i++) {
      await bus.publish("load", big(i));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(() => bus.subscriptionCount === base, 10_000);
    expect(bus.subscriptionCount).toBe(base);
  });

  it("WebSocket - the backlog is counted in bytes, as the socket counts it, not in UTF-16 units", async () => {
    const bus = new InMemoryEventBus();
    // 40,000 "€": 40,000 UTF-16 units but 120,000 bytes on the wire.
    const euro = new Event({
      type: EventType.CUSTOM,
      topic: "t",
      payload: { blob: "€".repeat(40_000) },
    });
    expect(socketFrameBytes(euro)).toBe(new TextEncoder().encode(socketFrame(euro)).byteLength);
    expect(socketFrameBytes(euro)).toBeGreaterThan(120_000);
    // A socket already 1 byte behind, with room for 100,000: this event does not fit.
    const sent: string[] = [];
    let closedWith: number | undefined;
    const ws = {
      raw: { bufferedAmount: 1 },
      send: (text: string) => void sent.push(text),
      close: (code?: number) => {
        closedWith = code;
      },
    };
    const handlers = eventSocket(bus, ["*"], { heartbeatMs: 60_000, maxQueuedBytes: 100_000 });
    handlers.onOpen?.({} as never, ws as never);
    await eventually(() => sent.some((t) => t.includes('"ready"')));
    await bus.publish("t", euro);
    await eventually(() => closedWith !== undefined);
    expect(closedWith).toBe(1013);
    expect(sent.some((t) => t.includes("€"))).toBe(false);
    handlers.onClose?.({} as never, ws as never);
  });

  it("SSE - one event is encoded once for every client", () => {
    const event = big(1);
    expect(sseFrame(event)).toBe(sseFrame(event));
  });

  it("SSEEventBus - an event whose id breaks the grammar is delivered, and reconnection still works", async () => {
    const bus = new InMemoryEventBus();
    const app = createApp({ registry: new InMemoryBackend(), eventBus: bus });
    let server = await listen(app);
    const port = server.port;
    const client = new SSEEventBus({
      baseUrl: server.url,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const got: Event[] = [];
    await client.subscribe("t", (e) => void got.push(e));
    await bus.publish("t", new Event({ type: EventType.CUSTOM, topic: "t", eventId: "has space" }));
    await eventually(() => got.length === 1);
    await server.close();
    server = await listen(app, port);
    await eventually(() => client.reconnects === 1, 10_000);
    await bus.publish("t", new Event({ type: EventType.CUSTOM, topic: "t", eventId: "after" }));
    await eventually(() => got.some((e) => e.eventId === "after"), 5_000);
    expect(got[0]?.eventId).toBe("has space");
  });
});
