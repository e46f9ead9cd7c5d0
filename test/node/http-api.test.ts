// The HTTP API on Node over loopback: every bad input gets a 4xx in the one error shape (never a
// 500, never another route), auth, a client vanishing mid-upload, 1,000 concurrent PUTs to one
// bot, 304s, SSE delivery, the OpenAPI document and CORS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InMemoryBackend,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  type KnowledgeFile,
  type PutFileOptions,
  type RegistrationDict,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";
import { rawRequest, startChunkedUpload } from "../fixtures/http-raw.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

/** Records how each upload ended, and how many bytes of a streamed one reached the backend. */
class ObservedKnowledge extends InMemoryKnowledgeBackend {
  readonly outcomes: Promise<unknown>[] = [];
  bytesSeen = 0;
  override putFile(
    domainId: string,
    path: string,
    content: Uint8Array | string | ReadableStream<Uint8Array>,
    options?: PutFileOptions,
  ): Promise<KnowledgeFile> {
    const counted =
      content instanceof ReadableStream
        ? content.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform: (chunk, controller) => {
                this.bytesSeen += chunk.length;
                controller.enqueue(chunk);
              },
            }),
          )
        : content;
    const result = super.putFile(domainId, path, counted, options);
    this.outcomes.push(
      result.then(
        () => "stored",
        (e: unknown) => e,
      ),
    );
    return result;
  }
}

/** The response bodies these tests read, loosely: an error, a registration or a list. */
type Body = RegistrationDict & {
  error: { code: string; message: string; issues: { path: unknown[]; message: string }[] };
  items: RegistrationDict[];
  revision: string;
};

interface OpenApiSchema {
  required: string[];
  additionalProperties: unknown;
  properties: Record<string, { pattern?: string; enum?: string[] }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, unknown>;
  components: Record<string, Record<string, unknown>>;
  security: unknown;
}

const RW = { authorization: "Bearer rw-token" };
const RO = { authorization: "Bearer ro-token" };
let served: Served;
let registry: InMemoryBackend;
let knowledge: ObservedKnowledge;

beforeAll(async () => {
  const bus = new InMemoryEventBus();
  registry = new InMemoryBackend({ eventBus: bus });
  knowledge = new ObservedKnowledge();
  served = await listen(
    createApp({
      registry,
      knowledge,
      eventBus: bus,
      auth: { tokens: ["rw-token"], readOnlyTokens: ["ro-token"] },
      cors: { origins: ["https://app.example"] },
      heartbeatSeconds: 1,
    }),
  );
});
afterAll(() => served.close());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = RW,
): Promise<{ status: number; headers: Headers; json: Body; text: string }> {
  const res = await fetch(`${served.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Body;
  try {
    json = JSON.parse(text) as Body;
  } catch {
    json = undefined as unknown as Body;
  }
  return { status: res.status, headers: res.headers, json, text };
}

function expectError(
  res: { status: number; json: Body | undefined },
  status: number,
  code: string,
): void {
  expect(res.status).toBe(status);
  expect(res.json?.error?.code).toBe(code);
  expect(typeof res.json?.error?.message).toBe("string");
}

describe("HTTP API - bad input is a 4xx, never a 500", () => {
  it("malformed JSON - 400 VALIDATION naming the body", async () => {
    const res = await call("PUT", "/bots/b1", '{"config": {');
    expectError(res, 400, "VALIDATION");
    expect(res.json.error.issues[0]?.path).toEqual(["body"]);
    expectError(await call("POST", "/bots", "not json"), 400, "VALIDATION");
    expectError(await call("POST", "/bots", ""), 400, "VALIDATION");
  });

  it("wrong types - 400 with the issues listed, nothing written", async () => {
    const cases: unknown[] = [
      { config: "text" },
      { config: [] },
      { config: {}, status: "paused" },
      { config: {}, status: 1 },
      { config: {}, metadata: "x" },
      { config: {}, typo: true },
      [],
      null,
      42,
    ];
    for (const body of cases) {
      const res = await call("PUT", "/bots/typed", body);
      expectError(res, 400, "VALIDATION");
      expect(res.json.error.issues.length).toBeGreaterThan(0);
    }
    expectError(await call("POST", "/bots", { bot_id: 42, config: {} }), 400, "VALIDATION");
    expectError(await call("POST", "/bots", { config: {} }), 400, "VALIDATION");
    expect(await registry.peek("typed")).toBeNull();
  });

  it("a 10 MB config - 413, whether announced by Content-Length or streamed chunked", async () => {
    const big = JSON.stringify({ config: { blob: "x".repeat(10 * 1024 * 1024) } });
    expectError(await call("PUT", "/bots/huge", big), 413, "PAYLOAD_TOO_LARGE");
    const stream = new Blob([big]).stream();
    const res = await fetch(`${served.url}/bots/huge`, {
      method: "PUT",
      headers: { ...RW, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Body).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await registry.peek("huge")).toBeNull();
  });

  it("a config just over 1 MiB inside a body under the limit - 400 from the backend's own check", async () => {
    const res = await call("PUT", "/bots/mib", { config: { blob: "x".repeat(1024 * 1024) } });
    expectError(res, 400, "VALIDATION");
  });

  it("bot id with / (raw) - 400, never another route", async () => {
    for (const [method, path] of [
      ["GET", "/bots/a/b"],
      ["PUT", "/bots/a/b"],
      ["DELETE", "/bots/a/b"],
      ["GET", "/configs/x/y/z"],
    ] as const) {
      expectError(
        await call(method, path, method === "PUT" ? { config: {} } : undefined),
        400,
        "VALIDATION",
      );
    }
  });

  it("bot id with %2F - 400", async () => {
    expectError(await call("GET", "/bots/a%2Fb"), 400, "VALIDATION");
    expectError(await call("PUT", "/bots/a%2Fb", { config: {} }), 400, "VALIDATION");
    expectError(await call("POST", "/bots/a%2Fb/deactivate"), 400, "VALIDATION");
  });

  it("bot id .. - 400 in a body; a raw /bots/.. or %2e%2e is refused before URL resolution", async () => {
    expectError(await call("POST", "/bots", { bot_id: "..", config: {} }), 400, "VALIDATION");
    await registry.register("victim", { keep: true });
    for (const target of [
      "/bots/..",
      "/bots/%2e%2e",
      "/bots/../bots/victim",
      "/bots/%2E%2E/bots/victim",
    ]) {
      const res = await rawRequest(
        served.port,
        `DELETE ${target} HTTP/1.1\r\nAuthorization: Bearer rw-token`,
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe("VALIDATION");
    }
    expect(await registry.peek("victim")).not.toBeNull();
  });

  it("unicode bot ids - 400 (percent-encoded UTF-8, and malformed escapes too)", async () => {
    for (const id of ["b%C3%A9", "%F0%9F%99%82", "bot%E0%A4%A", "%ZZ"]) {
      expectError(await call("PUT", `/bots/${id}`, { config: {} }), 400, "VALIDATION");
    }
  });

  it("empty bot id - 400", async () => {
    expectError(await call("GET", "/bots/"), 400, "VALIDATION");
    expectError(await call("PUT", "/bots/", { config: {} }), 400, "VALIDATION");
    expectError(await call("POST", "/bots", { bot_id: "", config: {} }), 400, "VALIDATION");
  });

  it("If-Match garbage - 400; well-formed but stale or weak - 412; version or ETag - 200", async () => {
    const created = await call("PUT", "/bots/im", { config: { v: 1 } });
    for (const garbage of ["garbage!", "", '"unterminated', "1.5", "stale", 'W/"1", junk']) {
      const res = await call(
        "PUT",
        "/bots/im",
        { config: { v: 9 } },
        { ...RW, "if-match": garbage },
      );
      expectError(res, 400, "VALIDATION");
    }
    // Well-formed entity-tags that match nothing are 412 (RFC 9110 §13.1.1), not 400.
    for (const stale of ['"7"', '"stale"', '"abc", "7"', 'W/"1", "other"']) {
      expectError(
        await call("PUT", "/bots/im", { config: { v: 9 } }, { ...RW, "if-match": stale }),
        412,
        "PRECONDITION_FAILED",
      );
    }
    expectError(
      await call("PUT", "/bots/im", { config: { v: 9 } }, { ...RW, "if-match": 'W/"1"' }),
      412,
      "PRECONDITION_FAILED",
    );
    expectError(
      await call("PUT", "/bots/nobody", { config: {} }, { ...RW, "if-match": "*" }),
      412,
      "NOT_FOUND",
    );
    const byVersion = await call(
      "PUT",
      "/bots/im",
      { config: { v: 2 } },
      { ...RW, "if-match": '"1"' },
    );
    expect(byVersion.status).toBe(200);
    const byEtag = await call(
      "PUT",
      "/bots/im",
      { config: { v: 3 } },
      { ...RW, "if-match": byVersion.headers.get("etag") as string },
    );
    expect(byEtag.json.version).toBe(3);
    const staleEtag = await call(
      "PUT",
      "/bots/im",
      { config: { v: 4 } },
      { ...RW, "if-match": created.json.etag },
    );
    expectError(staleEtag, 412, "PRECONDITION_FAILED");
    expect((await registry.peek("im"))?.config).toEqual({ v: 3 });
  });

  it("path traversal in a knowledge file path, encoded - 400, nothing written", async () => {
    await knowledge.createKb("trav");
    for (const path of [
      "%2e%2e%2fescape.md",
      "a/%2E%2E%2F%2E%2E%2Fescape.md",
      "..%2Fescape.md",
      "a%5C..%5Cb.md",
      "%2Fabs.md",
    ]) {
      const res = await call("PUT", `/kb/trav/files/${path}`, "data");
      expectError(res, 400, "VALIDATION");
    }
    expect(await knowledge.listFiles("trav")).toEqual([]);
    expect((await knowledge.getInfo("trav"))?.version).toBe("1");
  });

  it("path traversal in a knowledge file path, raw ../ - 400 before URL resolution, nothing written", async () => {
    await knowledge.createKb("trav-raw");
    for (const target of [
      "/kb/trav-raw/files/../../trav-raw/files/x.md",
      "/kb/trav-raw/files/a/../../../escape.md",
      "/kb/trav-raw/files/%2e%2e/escape.md",
      "/kb/trav-raw/files/a\\..\\b.md",
    ]) {
      const res = await rawRequest(
        served.port,
        `PUT ${target} HTTP/1.1\r\nAuthorization: Bearer rw-token`,
        "data",
      );
      expect(res.status).toBe(400);
    }
    expect(await knowledge.listFiles("trav-raw")).toEqual([]);
  });

  it("no token on a write route - 401 with WWW-Authenticate: Bearer", async () => {
    const res = await call("PUT", "/bots/auth-1", { config: {} }, {});
    expectError(res, 401, "UNAUTHORIZED");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectError(await call("GET", "/bots", undefined, {}), 401, "UNAUTHORIZED");
    expectError(await call("GET", "/openapi.json", undefined, {}), 401, "UNAUTHORIZED");
  });

  it("a wrong token - 401 invalid_token; a malformed Authorization - 401", async () => {
    const res = await call(
      "PUT",
      "/bots/auth-1",
      { config: {} },
      { authorization: "Bearer rw-tokeN" },
    );
    expectError(res, 401, "UNAUTHORIZED");
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expectError(
      await call("PUT", "/bots/auth-1", { config: {} }, { authorization: "Basic cnc6cnc=" }),
      401,
      "UNAUTHORIZED",
    );
    expectError(
      await call("GET", "/bots", undefined, { authorization: "Bearer" }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("a read-only token - reads 200, every write 403, nothing written", async () => {
    expect((await call("GET", "/bots", undefined, RO)).status).toBe(200);
    expectError(await call("PUT", "/bots/auth-1", { config: {} }, RO), 403, "FORBIDDEN");
    expectError(
      await call("POST", "/bots", { bot_id: "auth-1", config: {} }, RO),
      403,
      "FORBIDDEN",
    );
    expectError(await call("DELETE", "/bots/victim", undefined, RO), 403, "FORBIDDEN");
    expectError(await call("POST", "/kb", { domain_id: "ro-kb" }, RO), 403, "FORBIDDEN");
    expectError(
      await call("POST", "/events", { type: "updated", topic: "x" }, RO),
      403,
      "FORBIDDEN",
    );
    expect(await registry.peek("auth-1")).toBeNull();
    expect((await call("PUT", "/bots/auth-1", { config: {} })).status).toBe(200);
  });

  it("a client that disconnects mid-upload leaves nothing stored (real socket, chunked body)", async () => {
    await knowledge.createKb("upload");
    const before = knowledge.outcomes.length;
    knowledge.bytesSeen = 0;
    const socket = await startChunkedUpload(
      served.port,
      "PUT /kb/upload/files/big.md HTTP/1.1\r\nAuthorization: Bearer rw-token\r\nContent-Type: text/markdown",
      ["# Part one\n\n", "x".repeat(64 * 1024)],
    );
    await eventually(() => knowledge.outcomes.length > before);
    // Part of the body has streamed into the backend when the client vanishes.
    await eventually(() => knowledge.bytesSeen > 0);
    socket.destroy();
    const outcome = await knowledge.outcomes[before];
    expect(outcome).toBeInstanceOf(Error);
    expect(await knowledge.fileExists("upload", "big.md")).toBe(false);
    const info = await knowledge.getInfo("upload");
    expect(info?.fileCount).toBe(0);
    expect(info?.version).toBe("1");
  });

  it("unknown routes - 404 in the same error shape; a method a registry route lacks - 405", async () => {
    expectError(await call("GET", "/nope"), 404, "NOT_FOUND");
    expectError(await call("PATCH", "/kb/x"), 404, "NOT_FOUND");
    const patch = await call("PATCH", "/bots/victim", { config: {} });
    expectError(patch, 405, "METHOD_NOT_ALLOWED");
    expect(patch.headers.get("allow")).toBe("GET, HEAD, PUT, DELETE");
    expectError(await call("PUT", "/bots", { config: {} }), 405, "METHOD_NOT_ALLOWED");
    expectError(await call("GET", "/bots/victim/deactivate"), 405, "METHOD_NOT_ALLOWED");
    expectError(await call("POST", "/bots/victim/activate"), 400, "VALIDATION");
  });
});

describe("HTTP API - registry", () => {
  it("1,000 concurrent PUTs to one bot: each version exactly once, final state is the last commit", async () => {
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => call("PUT", "/bots/hot", { config: { i } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const versions = results.map((r) => r.json.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const last = results.find((r) => r.json.version === 1000);
    const final = await call("GET", "/bots/hot?peek=1");
    expect(final.json.config).toEqual(last?.json.config);
    expect(final.json.version).toBe(1000);
  });

  it("POST creates once (201, Location), then 409", async () => {
    const first = await call("POST", "/bots", {
      bot_id: "created",
      config: { a: 1 },
      status: "inactive",
    });
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe("/bots/created");
    expect(first.json.status).toBe("inactive");
    expectError(await call("POST", "/bots", { bot_id: "created", config: {} }), 409, "CONFLICT");
  });

  it("PUT without status keeps the current one; deactivate and DELETE answer 200/204 then 404", async () => {
    await call("PUT", "/bots/keep", { config: { a: 1 }, status: "inactive" });
    expect((await call("PUT", "/bots/keep", { config: { a: 2 } })).json.status).toBe("inactive");
    expect((await call("POST", "/bots/keep/deactivate")).json.version).toBe(3);
    expect((await call("DELETE", "/bots/keep")).status).toBe(204);
    expectError(await call("DELETE", "/bots/keep"), 404, "NOT_FOUND");
    expectError(await call("POST", "/bots/keep/deactivate"), 404, "NOT_FOUND");
    expectError(await call("GET", "/bots/keep"), 404, "NOT_FOUND");
  });

  it("304 - item by ETag, list by revision; a write moves the list ETag", async () => {
    const put = await call("PUT", "/configs/cond", { config: { c: 1 } });
    const etag = put.headers.get("etag") as string;
    expect(
      (await call("GET", "/bots/cond", undefined, { ...RW, "if-none-match": etag })).status,
    ).toBe(304);
    expect(
      (await call("GET", "/bots/cond", undefined, { ...RW, "if-none-match": '"other"' })).status,
    ).toBe(200);
    const list = await call("GET", "/bots?status=active");
    const tag = list.headers.get("etag") as string;
    expect(tag).toBe(`"${list.json.revision}"`);
    const again = await call("GET", "/bots", undefined, { ...RW, "if-none-match": tag });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    await call("PUT", "/bots/cond", { config: { c: 2 } });
    expect((await call("GET", "/bots", undefined, { ...RW, "if-none-match": tag })).status).toBe(
      200,
    );
    expectError(await call("GET", "/bots?status=paused"), 400, "VALIDATION");
  });

  it("list - built once per revision, status filter and page, rebuilt after any write", async () => {
    const registry = new InMemoryBackend();
    let listed = 0;
    const listPage = registry.listPage.bind(registry);
    registry.listPage = (options) => {
      listed++;
      return listPage(options);
    };
    const app = createApp({ registry });
    const list = async (query = ""): Promise<{ items: RegistrationDict[] }> =>
      (await app.request(`/bots${query}`)).json() as Promise<{ items: RegistrationDict[] }>;
    await registry.register("a", { v: 1 });
    await registry.register("b", { v: 1 }, { status: "inactive" });
    expect((await list()).items.map((r) => r.bot_id)).toEqual(["a", "b"]);
    expect((await list()).items.map((r) => r.bot_id)).toEqual(["a", "b"]);
    expect(listed).toBe(1);
    expect((await list("?status=inactive")).items.map((r) => r.bot_id)).toEqual(["b"]);
    expect(listed).toBe(2);
    await registry.update("a", { v: 2 });
    expect((await list()).items.find((r) => r.bot_id === "a")?.config).toEqual({ v: 2 });
    expect(listed).toBe(3);
    await registry.unregister("b");
    expect((await list("?status=inactive")).items).toEqual([]);
    // Pages are cached by cursor and limit too, and a write makes every page fresh.
    for (const id of ["c", "d", "e"]) await registry.register(id, {});
    const page = async (q: string) =>
      (await app.request(`/bots${q}`)).json() as Promise<{
        items: RegistrationDict[];
        cursor?: string;
      }>;
    const first = await page("?limit=2");
    expect([first.items.map((r) => r.bot_id), first.cursor]).toEqual([["a", "c"], "c"]);
    const before = listed;
    expect((await page("?limit=2")).cursor).toBe("c");
    expect((await page("?limit=2&cursor=c")).items.map((r) => r.bot_id)).toEqual(["d", "e"]);
    expect((await page("?limit=2&cursor=c")).cursor).toBeUndefined();
    expect(listed).toBe(before + 1);
    await registry.register("b", {});
    expect((await page("?limit=2")).items.map((r) => r.bot_id)).toEqual(["a", "b"]);
  });

  it("peek=1 does not record the access; a plain GET does (once the touch interval passed)", async () => {
    let now = Date.UTC(2026, 0, 1);
    const local = createApp({ registry: new InMemoryBackend({ now: () => now }) });
    await local.request("/bots/p", { method: "PUT", body: JSON.stringify({ config: {} }) });
    now += 120_000;
    const peeked = (await (await local.request("/bots/p?peek=1")).json()) as Body;
    expect(peeked.last_accessed_at).toBe("2026-01-01T00:00:00.000Z");
    await local.request("/bots/p");
    const after = (await (await local.request("/bots/p?peek=true")).json()) as Body;
    expect(after.last_accessed_at).toBe("2026-01-01T00:02:00.000Z");
    expect((await local.request("/bots/p?peek=maybe")).status).toBe(400);
  });
});

describe("HTTP API - events, OpenAPI, CORS", () => {
  it("SSE - a registry write reaches a /events stream as a data frame", async () => {
    const controller = new AbortController();
    const res = await fetch(`${served.url}/events?topics=registry:*`, {
      headers: RW,
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil("event: ready");
    await call("PUT", "/bots/sse-bot", { config: { x: 1 } });
    await readUntil('"sse-bot"');
    const frame = text.slice(text.lastIndexOf("\n\nid: ") + 2).split("\n\n")[0] as string;
    const data = JSON.parse(
      frame
        .split("\n")
        .find((l) => l.startsWith("data: "))
        ?.slice(6) ?? "{}",
    );
    expect(data).toMatchObject({
      type: "created",
      topic: "registry:bots",
      payload: { bot_id: "sse-bot", version: 1 },
    });
    await readUntil(": ping");
    controller.abort();
  });

  it("OpenAPI 3.1 - parses, lists every route, and its schemas come from the validators", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.json as unknown as OpenApiDoc;
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/bots",
      "/bots/{bot_id}",
      "/bots/{bot_id}/deactivate",
      "/configs/{bot_id}",
      "/kb",
      "/kb/{domain_id}/files/{path}",
      "/kb/{domain_id}/ingest/{job_id}",
      "/kb/{domain_id}/search",
      "/events",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const schemas = doc.components.schemas as Record<string, OpenApiSchema>;
    expect(schemas.PutBot?.required).toEqual(["config"]);
    expect(schemas.PutBot?.additionalProperties).toBe(false);
    expect(schemas.CreateBot?.properties.bot_id?.pattern).toBeDefined();
    expect(schemas.CreateBot?.properties.status?.enum).toEqual(["active", "inactive", "error"]);
    expect(schemas.Registration?.required).toContain("etag");
    // Every $ref points at something that exists.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const [, , kind, name] = (JSON.parse(`{${ref}}`).$ref as string).split("/");
      expect(doc.components[kind as string]?.[name as string]).toBeDefined();
    }
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it("CORS - preflight and responses carry the allowed origin only", async () => {
    const preflight = await fetch(`${served.url}/bots/x`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization,if-match",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "if-match",
    );
    const get = await call("GET", "/bots", undefined, { ...RW, origin: "https://app.example" });
    expect(get.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(get.headers.get("access-control-expose-headers")).toContain("ETag");
    const denied = await call("GET", "/bots", undefined, { ...RW, origin: "https://evil.example" });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    const unauthorized = await call("GET", "/bots", undefined, { origin: "https://app.example" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });
});
