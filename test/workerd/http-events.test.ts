// The event stream over WebSockets inside workerd: `botknobs/cloudflare`'s upgrade (a real
// WebSocketPair) under createApp, read by WebSocketEventBus through a fetch upgrade, all within
// one request's I/O context (the Worker's own /events goes through the Durable Object:
// worker-events.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { upgradeWebSocket } from "../../src/adapters/cloudflare/index.ts";
import {
  type WebSocketConnect,
  WebSocketEventBus,
  type WebSocketLike,
} from "../../src/core/events/ws-bus.ts";
import { InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventBusSuite } from "../../src/testing/index.ts";

type App = ReturnType<typeof createApp>;
type Fetch = (request: Request) => Response | Promise<Response>;

/** A client socket through a fetch upgrade, the way a Worker opens one. */
function connectVia(fetch: Fetch): WebSocketConnect {
  return async (url, headers) => {
    const response = await fetch(
      new Request(url.replace(/^ws/, "http"), { headers: { ...headers, upgrade: "websocket" } }),
    );
    const socket = (response as Response & { webSocket?: WebSocketLike & { accept(): void } })
      .webSocket;
    if (!socket) throw new Error(`no WebSocket: HTTP ${response.status} ${await response.text()}`);
    socket.accept();
    return socket;
  };
}

let app: App;
const opened: WebSocketEventBus[] = [];
const client = (): WebSocketEventBus => {
  const fetch: Fetch = (request) => app.fetch(request);
  const bus = new WebSocketEventBus({
    baseUrl: "http://botknobs.test",
    authToken: "t0ken",
    fetch: async (input, init) => fetch(new Request(input, init)),
    connect: connectVia(fetch),
  });
  opened.push(bus);
  return bus;
};

beforeEach(() => {
  const bus = new InMemoryEventBus();
  app = createApp({
    registry: new InMemoryBackend({ eventBus: bus }),
    eventBus: bus,
    auth: { tokens: ["t0ken"] },
    upgradeWebSocket,
  });
});
afterEach(async () => {
  for (const bus of opened.splice(0)) await bus.close();
});

eventBusSuite(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "WebSocketEventBus → createApp inside workerd",
    create: () => client(),
    createPeer: () => client(),
  },
);

describe("WebSocket events inside workerd", () => {
  it("without an upgradeWebSocket the handshake is a 501; without a token a 401", async () => {
    const plain = createApp({ registry: new InMemoryBackend(), eventBus: new InMemoryEventBus() });
    const request = () =>
      new Request("http://botknobs.test/events", { headers: { upgrade: "websocket" } });
    const refused = await plain.fetch(request());
    expect(refused.status).toBe(501);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("UNSUPPORTED");
    expect((await app.fetch(request())).status).toBe(401);
  });
});
