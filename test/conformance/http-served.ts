/**
 * The HTTP API served by a runtime's own server (`@hono/node-server`, `Deno.serve`,
 * `Bun.serve`): the registry conformance suite through `HTTPRegistryBackend` over loopback, a
 * knowledge round trip, and the event stream over SSE (`sse-served.ts`) and the runtime's WebSocket.
 */
import type { UpgradeWebSocket } from "hono/ws";
import {
  type WebSocketConnect,
  WebSocketEventBus,
  type WebSocketLike,
} from "../../src/core/events/ws-bus.ts";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import {
  AdapterError,
  CachingRegistryManager,
  type EventBus,
  InMemoryBackend,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  type JsonObject,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
  type RegistryBackend,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import {
  eventBusSuite,
  eventually,
  registryBackendSuite,
  type TestHarness,
} from "../../src/testing/index.ts";
import { sseEventBusSuite } from "./sse-served.ts";

/** A server the runtime started on 127.0.0.1. */
export interface RuntimeServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `fetch` on a free loopback port with the runtime's own server; `env` is what that server
 * passes as the second argument (Node's request, Bun's server), which upgrades need.
 */
export type RuntimeServe = (
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
) => Promise<RuntimeServer>;

/** The runtime's WebSocket: the server's upgrade helper, and how a client opens a socket. */
export interface RuntimeWebSocket {
  // biome-ignore lint/suspicious/noExplicitAny: each runtime's helper has its own socket type.
  upgradeWebSocket: UpgradeWebSocket<any, any, any>;
  /** Default: the global WebSocket. */
  connect?: WebSocketConnect;
}

class Instances extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

export function runServedSuites(
  h: TestHarness,
  runtime: string,
  serve: RuntimeServe,
  ws?: RuntimeWebSocket,
): void {
  const servers = new Map<RegistryBackend, RuntimeServer>();
  registryBackendSuite(h, {
    name: `HTTPRegistryBackend → createApp on ${runtime}'s own server`,
    // The server records the token's name as the actor (the backend refuses to name one, and
    // sends a reason alone): the cases that name actors skip, the label and audit cases expect it.
    capabilities: { writeContext: false, tokenActor: "anonymous" },
    async create({ now, eventBus, historyLimit }) {
      const app = createApp({ registry: new InMemoryBackend({ now, eventBus, historyLimit }) });
      const server = await serve((request) => app.fetch(request));
      const backend = new HTTPRegistryBackend({ baseUrl: server.url, timeout: 10 });
      servers.set(backend, server);
      return backend;
    },
    async destroy(backend) {
      await backend.clear();
      await backend.close();
      await servers.get(backend)?.close();
      servers.delete(backend);
    },
  });

  h.describe(`the HTTP API on ${runtime}`, () => {
    h.it("uploads a file as a stream, ingests it and searches it", async () => {
      const knowledge = new InMemoryKnowledgeBackend();
      const rag = new RAGKnowledgeBase();
      const ingestion = new KnowledgeIngestionManager({ source: knowledge, destination: rag });
      const app = createApp({ registry: new InMemoryBackend(), knowledge, rag, ingestion });
      const server = await serve((request) => app.fetch(request));
      try {
        const json = { "content-type": "application/json" };
        h.expect(
          (
            await fetch(`${server.url}/kb`, {
              method: "POST",
              headers: json,
              body: JSON.stringify({ domain_id: "support" }),
            })
          ).status,
        ).toBe(201);
        const upload = await fetch(`${server.url}/kb/support/files/faq.md`, {
          method: "PUT",
          body: "# FAQ\n\n## How do I reset my password?\n\nGo to settings...",
        });
        h.expect(upload.status).toBe(201);
        const job = await fetch(`${server.url}/kb/support/ingest`, { method: "POST" });
        h.expect(job.status).toBe(202);
        const location = job.headers.get("location") as string;
        let status = "running";
        for (let i = 0; i < 200 && status === "running"; i++) {
          status = ((await (await fetch(`${server.url}${location}`)).json()) as { status: string })
            .status;
          if (status === "running") await new Promise((r) => setTimeout(r, 10));
        }
        h.expect(status).toBe("completed");
        const found = (await (
          await fetch(`${server.url}/kb/support/search?q=reset+password`)
        ).json()) as { results: { source: string }[] };
        h.expect(found.results[0]?.source).toBe("faq.md");
        h.expect(
          (
            await fetch(`${server.url}/kb/support/files/..%2F..%2Fetc%2Fpasswd`, {
              method: "PUT",
              body: "x",
            })
          ).status,
        ).toBe(400);
      } finally {
        await server.close();
      }
    });
  });

  sseEventBusSuite(h, runtime, serve);
  if (ws) webSocketSuites(h, runtime, serve, ws);
}

/** A WebSocket bus's sockets, and the promise its next connection waits on. */
interface SocketLink {
  sockets: WebSocketLike[];
  hold: Promise<void> | null;
}

/** The runtime's global WebSocket, with the auth header as Deno and Bun take it. */
const globalConnect: WebSocketConnect = (url, headers) => {
  const Socket = (
    globalThis as unknown as { WebSocket: new (url: string, init?: unknown) => WebSocketLike }
  ).WebSocket;
  return Object.keys(headers).length ? new Socket(url, { headers }) : new Socket(url);
};

/**
 * Closes a bus's sockets from its side, as a lost network would end them, and holds its next
 * connection until the returned function is called.
 */
async function dropSockets(link: SocketLink): Promise<() => void> {
  let release = (): void => {};
  link.hold = new Promise<void>((r) => {
    release = r;
  });
  await Promise.all(
    link.sockets.splice(0).map(
      (socket) =>
        new Promise<void>((closed) => {
          if (socket.readyState >= 2) return closed();
          socket.addEventListener("close", () => closed());
          socket.close(4000, "network gone");
        }),
    ),
  );
  return () => {
    link.hold = null;
    release();
  };
}

function webSocketSuites(
  h: TestHarness,
  runtime: string,
  serve: RuntimeServe,
  ws: RuntimeWebSocket,
): void {
  h.describe(`the event stream on ${runtime}`, () => {
    let server: RuntimeServer | undefined;
    let registry: InMemoryBackend;
    const opened: { close(): Promise<void> }[] = [];
    const links = new WeakMap<EventBus, SocketLink>();
    const client = (options: { authToken?: string; topics?: string[] } = {}): WebSocketEventBus => {
      const link: SocketLink = { sockets: [], hold: null };
      const connect = ws.connect ?? globalConnect;
      const bus = new WebSocketEventBus({
        baseUrl: (server as RuntimeServer).url,
        authToken: "rw",
        // Each socket of the bus is known, and a reconnection can be held (the resume cases).
        connect: async (url, headers) => {
          while (link.hold) await link.hold;
          const socket = await connect(url, headers);
          link.sockets.push(socket);
          return socket;
        },
        reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
        ...options,
      });
      links.set(bus, link);
      opened.push(bus);
      return bus;
    };
    h.beforeEach(async () => {
      const bus = new InMemoryEventBus();
      registry = new InMemoryBackend({ eventBus: bus });
      const app = createApp({
        registry,
        eventBus: bus,
        auth: { tokens: ["rw"] },
        upgradeWebSocket: ws.upgradeWebSocket,
        heartbeatSeconds: 1,
      });
      server = await serve((request, env) => app.fetch(request, env as never));
    });
    h.afterEach(async () => {
      for (const bus of opened.splice(0)) await bus.close();
      await server?.close();
    });

    eventBusSuite(h, {
      name: `WebSocketEventBus → createApp /events (${runtime})`,
      create: () => client(),
      createPeer: () => client(),
      // The server's event history resumes a client: the short-disconnect case runs (a restart
      // is a new server with an empty history, so the restart case does not).
      createFiltered: (topics) => client({ topics }),
      disconnect: (bus) => dropSockets(links.get(bus) as SocketLink),
    });

    h.it("a PUT through the API invalidates a remote cache's instance", async () => {
      const url = (server as RuntimeServer).url;
      const manager = new Instances({
        backend: new HTTPRegistryBackend({ baseUrl: url, authToken: "rw" }),
        eventBus: client({ topics: ["registry:*"] }),
      });
      opened.push(manager);
      await manager.initialize();
      const writer = new HTTPRegistryBackend({ baseUrl: url, authToken: "rw" });
      await writer.register("bot-1", { v: 1 });
      h.expect((await manager.getOrCreate("bot-1")).v).toBe(1);
      await writer.register("bot-1", { v: 2 });
      await eventually(() => !manager.isCached("bot-1"));
      h.expect((await manager.getOrCreate("bot-1")).v).toBe(2);
    });

    h.it("no token, or bad topics: the handshake is refused with a clear error", async () => {
      for (const bus of [client({ authToken: "wrong" }), client({ topics: ["x".repeat(300)] })]) {
        const error = await bus.connect().catch((e: unknown) => e);
        h.expect(error instanceof AdapterError).toBe(true);
        h.expect(String((error as Error).message)).toContain("/events");
      }
      // The registry is untouched and the server still streams to a good client.
      await client().connect();
      h.expect(await registry.listAll()).toEqual([]);
    });
  });
}
