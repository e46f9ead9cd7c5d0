// The RegistryBackend conformance suite against HTTPRegistryBackend talking over loopback to
// createApp() served by @hono/node-server: the server-side backend gets the suite's clock and bus.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { coreRegistryBackends } from "../../src/core/registry/factory.ts";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import { httpRegistryBackends } from "../../src/core/registry/http-factory.ts";
import { MemoryRecordStore } from "../../src/core/registry/memory-record-store.ts";
import type { PutCondition } from "../../src/core/registry/record-store.ts";
import {
  createRegistryBackend,
  HttpError,
  InMemoryBackend,
  ReadOnlyError,
  type RegistrationDict,
  type RegistryBackend,
  type StoredRegistration,
  StoreRegistryBackend,
  UnsupportedError,
  ValidationError,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { expectRejects, registryBackendSuite } from "../../src/testing/index.ts";
import { runServedSuites } from "../conformance/http-served.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

const servers = new Map<RegistryBackend, Served>();

// The same served suites Deno and Bun run, on @hono/node-server (WebSocket clients from `ws`:
// Node 20 has no global WebSocket).
runServedSuites(
  { describe, it, expect, beforeEach, afterEach },
  "node",
  (fetch) => listen({ fetch }),
  { upgradeWebSocket, connect: (url, headers) => new WebSocket(url, { headers }) },
);

registryBackendSuite(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "HTTPRegistryBackend → /configs alias with a bearer token",
    // The server records the token's name as the actor (the backend refuses to name one, and
    // sends a reason alone): the cases that name actors skip, the label and audit cases expect it.
    capabilities: { writeContext: false, tokenActor: "token-1" },
    async create({ now, eventBus, historyLimit }) {
      const app = createApp({
        registry: new InMemoryBackend({ now, eventBus, historyLimit }),
        auth: { tokens: ["rw-token"] },
      });
      const served = await listen(app);
      const backend = new HTTPRegistryBackend({
        baseUrl: `${served.url}/`,
        resourcePath: "configs",
        authHeader: "Bearer rw-token",
      });
      servers.set(backend, served);
      return backend;
    },
    async destroy(backend) {
      await backend.clear();
      await servers.get(backend)?.close();
      servers.delete(backend);
    },
  },
);

describe("HTTPRegistryBackend - options, factory, errors", () => {
  const table = { ...coreRegistryBackends, ...httpRegistryBackends };
  const h = { expect };

  it("createRegistryBackend('http') takes the seed's keys and rejects unknown ones", async () => {
    const served = await listen(
      createApp({ registry: new InMemoryBackend(), auth: { tokens: ["k1"] } }),
    );
    try {
      const backend = createRegistryBackend(
        "http",
        { base_url: served.url, auth_token: "k1", timeout: 5, resource_path: "/configs" },
        table,
      );
      await backend.register("from-factory", { a: 1 });
      expect(await backend.peekConfig("from-factory")).toEqual({ a: 1 });
      const reader = createRegistryBackend(
        "http",
        { base_url: served.url, auth_token: "k1", read_only: true },
        table,
      );
      expect(await reader.exists("from-factory")).toBe(true);
      await expectRejects(h, reader.register("x", {}), ReadOnlyError);
      await expectRejects(h, reader.clear(), ReadOnlyError);
      const wrong = createRegistryBackend(
        "http",
        { base_url: served.url, auth_header: "Bearer nope" },
        table,
      );
      const error = (await expectRejects(h, wrong.get("from-factory"), HttpError)) as HttpError;
      expect(error.status).toBe(401);
      expect(error.message).toContain("UNAUTHORIZED");
    } finally {
      await served.close();
    }
    expect(() => createRegistryBackend("http", { base_url: "http://x", bogus: 1 }, table)).toThrow(
      ValidationError,
    );
    expect(() => createRegistryBackend("http", {}, table)).toThrow(ValidationError);
    expect(() => createRegistryBackend("http", { base_url: "ftp://x" }, table)).toThrow(
      ValidationError,
    );
  });

  it("auth header forms: a header name with the token, or a whole Authorization value", async () => {
    const seen: (string | null)[] = [];
    const fetchSpy = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const headers = new Headers(init?.headers);
      seen.push(headers.get("authorization") ?? `x-api-key=${headers.get("x-api-key")}`);
      void input;
      return new Response(null, { status: 404 });
    };
    const base = { baseUrl: "http://h", fetch: fetchSpy as typeof fetch };
    await new HTTPRegistryBackend({ ...base, authHeader: "Bearer token123" }).get("a");
    await new HTTPRegistryBackend({ ...base, authToken: "t" }).get("a");
    await new HTTPRegistryBackend({ ...base, authToken: "k", authHeader: "X-API-Key" }).get("a");
    expect(seen).toEqual(["Bearer token123", "Bearer t", "x-api-key=k"]);
  });

  it("ids are validated and URL-encoded; a timeout is an AdapterError naming the URL", async () => {
    const urls: string[] = [];
    const backend = new HTTPRegistryBackend({
      baseUrl: "http://h/api/",
      timeout: 0.05,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        urls.push(String(input));
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        );
      }) as typeof fetch,
    });
    await expectRejects(h, backend.get("a/b"), ValidationError, "botId");
    expect(urls).toEqual([]);
    const error = await expectRejects(h, backend.get("team@bot:1"), Error, "timed out");
    expect((error as Error).name).toBe("AdapterError");
    expect(urls).toEqual(["http://h/api/bots/team%40bot%3A1"]);
  });
});

/** A memory record store that counts the calls a write makes. */
class CountingStore extends MemoryRecordStore {
  calls = { get: 0, put: 0 };
  override async get(botId: string): Promise<StoredRegistration | null> {
    this.calls.get++;
    return super.get(botId);
  }
  override async put(record: RegistrationDict, condition: PutCondition): Promise<boolean> {
    this.calls.put++;
    return super.put(record, condition);
  }
}

describe("PUT /bots/{id} - one read and compare-and-set loop", () => {
  it("a new bot: one store read and one put (was two reads: update, NotFound, then register); an existing one the same", async () => {
    const store = new CountingStore();
    const app = createApp({ registry: new StoreRegistryBackend({ store }) });
    const put = (id: string, body: unknown) =>
      app.fetch(
        new Request(`http://x/bots/${id}`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    await store.initialize();
    const created = await put("new-bot", { config: { v: 1 } });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual(
      expect.objectContaining({ bot_id: "new-bot", version: 1, status: "active" }),
    );
    expect(store.calls).toEqual({ get: 1, put: 1 });
    await store.put(
      { ...((await store.get("new-bot")) as RegistrationDict), version: 2, status: "inactive" },
      { expectedVersion: 1 },
    );
    store.calls = { get: 0, put: 0 };
    const updated = await put("new-bot", { config: { v: 3 }, metadata: { m: 1 } });
    expect(updated.status).toBe(200);
    // The status is kept (no status in the body), the metadata replaced.
    expect(await updated.json()).toEqual(
      expect.objectContaining({ version: 3, status: "inactive", metadata: { m: 1 } }),
    );
    expect(store.calls).toEqual({ get: 1, put: 1 });
  });
});

const h = { describe, it, expect, beforeEach, afterEach };

describe("HTTPRegistryBackend - write context", () => {
  it("a write naming an actor is an UnsupportedError, nothing sent; a reason goes with the token's name as actor", async () => {
    const registry = new InMemoryBackend();
    const app = createApp({ registry, auth: { tokens: [{ name: "deployer", token: "s3cret" }] } });
    const sent: string[] = [];
    const backend = new HTTPRegistryBackend({
      baseUrl: "http://x",
      authToken: "s3cret",
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        sent.push(`${init?.method ?? "GET"} ${String(input)}`);
        return app.fetch(new Request(input, init));
      }) as typeof fetch,
    });
    await expectRejects(
      h,
      backend.register("w", {}, { actor: "alice" }),
      UnsupportedError,
      "actor",
    );
    await expectRejects(h, backend.rollback("w", 1, { actor: "a" }), UnsupportedError, "actor");
    await expectRejects(
      h,
      backend.setLabel("w", "stable", { version: 1 }, { actor: "a" }),
      UnsupportedError,
      "actor",
    );
    await expectRejects(h, backend.update("w", {}, { reason: "r".repeat(1025) }), ValidationError);
    expect(sent).toEqual([]);
    await backend.register("w", { v: 1 }, { reason: "set up" });
    expect((await registry.peek("w"))?.writeContext).toEqual({
      actor: "deployer",
      reason: "set up",
    });
    await backend.update("w", { v: 2 });
    expect((await backend.peek("w"))?.writeContext).toEqual({ actor: "deployer" });
    // Never the token itself, anywhere in what is stored.
    const history = JSON.stringify((await registry.history("w")).items);
    expect(history).not.toContain("s3cret");
  });
});
