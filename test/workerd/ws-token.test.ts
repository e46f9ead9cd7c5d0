// A browser's WebSocket cannot carry `Authorization`: on the Worker, the token in the subprotocol
// `botknobs.token.<t>` opens the Durable Object hub's /events socket (the Node server's side is
// test/node/ws-token.test.ts).
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { upgradeWebSocket } from "../../src/adapters/cloudflare/index.ts";
import type { WebSocketLike } from "../../src/core/events/ws-bus.ts";
import type { ServerFrame } from "../../src/core/events/ws-frames.ts";
import { InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import worker from "../../worker/index.ts";
import { captureConsole } from "../fixtures/console-capture.ts";

const TOKEN = "w0rker-Token_7";
const authed = { ...env, BOTKNOBS_TOKENS: TOKEN, BOTKNOBS_READ_TOKENS: "reader" };
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as never;
const logged = captureConsole();

afterAll(() => {
  logged.restore();
});

const handshake = (protocols: string[]): Promise<Response> =>
  worker.fetch(
    new Request("https://botknobs.test/events?topics=registry:*", {
      headers: { upgrade: "websocket", "sec-websocket-protocol": protocols.join(", ") },
    }),
    authed as never,
    ctx,
  );

/** The first frame the hub sends on the socket of a 101. */
async function firstFrame(response: Response): Promise<ServerFrame> {
  const socket = (response as Response & { webSocket?: WebSocketLike & { accept(): void } })
    .webSocket as WebSocketLike & { accept(): void };
  const frame = new Promise<ServerFrame>((resolve) =>
    socket.addEventListener("message", (m: { data?: unknown }) =>
      resolve(JSON.parse(String(m.data)) as ServerFrame),
    ),
  );
  socket.accept();
  const got = await frame;
  socket.close(1000, "done");
  return got;
}

describe("the token in a WebSocket subprotocol (Worker, Durable Object hub)", () => {
  it("a good token connects; the answer names botknobs.events, not the token", async () => {
    const response = await handshake(["botknobs.events", `botknobs.token.${TOKEN}`]);
    expect(response.status).toBe(101);
    expect(response.headers.get("sec-websocket-protocol")).toBe("botknobs.events");
    expect(await firstFrame(response)).toMatchObject({ kind: "ready" });
  });

  it("a token offered alone connects, answered with its own subprotocol (a browser needs one)", async () => {
    const response = await handshake([`botknobs.token.${TOKEN}`]);
    expect(response.status).toBe(101);
    expect(response.headers.get("sec-websocket-protocol")).toBe(`botknobs.token.${TOKEN}`);
    expect(await firstFrame(response)).toMatchObject({ kind: "ready" });
  });

  it("a read-only token may subscribe too", async () => {
    const response = await handshake(["botknobs.events", "botknobs.token.reader"]);
    expect(response.status).toBe(101);
    expect(await firstFrame(response)).toMatchObject({ kind: "ready" });
  });

  it("a wrong token is a 401 that does not repeat it; none at all is a 401", async () => {
    const wrong = await handshake(["botknobs.events", "botknobs.token.not-it"]);
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(body).not.toContain("not-it");
    for (const [, value] of wrong.headers) expect(value).not.toContain("not-it");
    const none = await handshake(["botknobs.events"]);
    expect(none.status).toBe(401);
    await none.text();
  });

  it("the subprotocol is only read on a WebSocket handshake: a plain GET with it is a 401", async () => {
    const response = await worker.fetch(
      new Request("https://botknobs.test/bots", {
        headers: { "sec-websocket-protocol": `botknobs.token.${TOKEN}` },
      }),
      authed as never,
      ctx,
    );
    expect(response.status).toBe(401);
    await response.text();
  });

  it("the token appears in nothing logged", () => {
    for (const line of logged.lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain("not-it");
    }
  });
});

describe("the token in a WebSocket subprotocol (createApp with botknobs/cloudflare's upgradeWebSocket)", () => {
  it("a good token connects and names botknobs.events; a wrong one is a 401", async () => {
    const eventBus = new InMemoryEventBus();
    const app = createApp({
      registry: new InMemoryBackend({ eventBus }),
      eventBus,
      auth: { tokens: [TOKEN] },
      upgradeWebSocket,
    });
    const open = (protocols: string) =>
      app.fetch(
        new Request("https://botknobs.test/events", {
          headers: { upgrade: "websocket", "sec-websocket-protocol": protocols },
        }),
      );
    const good = await open(`botknobs.events, botknobs.token.${TOKEN}`);
    expect(good.status).toBe(101);
    expect(good.headers.get("sec-websocket-protocol")).toBe("botknobs.events");
    expect(await firstFrame(good)).toMatchObject({ kind: "ready" });
    const wrong = await open("botknobs.events, botknobs.token.nope");
    expect(wrong.status).toBe(401);
    await wrong.text();
  });
});
