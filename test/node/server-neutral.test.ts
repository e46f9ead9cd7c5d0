// The server entry is the same on every runtime: src/server reads no runtime's own request
// objects and imports no runtime package; Node's part (the raw request behind
// @hono/node-server) lives in src/adapters/node and reaches the app through the neutral
// RawRequest binding. The HTTP client helpers sit in src/core/http, used by registry and events.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { InMemoryBackend } from "../../src/index.ts";
import { createApp, RAW_REQUEST, type RawRequest } from "../../src/server/index.ts";

const root = resolve(import.meta.dirname, "../..");

describe("src/server is runtime-neutral", () => {
  it("imports no runtime package and reads no Node request object", () => {
    const bad: string[] = [];
    for (const name of readdirSync(join(root, "src/server"))) {
      const source = readFileSync(join(root, "src/server", name), "utf8");
      const code = source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "");
      for (const pattern of [
        /from\s+["'](node:|@hono\/node-server|ws["'])/,
        /\.incoming\b/,
        /\bIncomingMessage\b/,
        /\bprocess\./,
        /\bDeno\./,
        /\bBun\./,
      ])
        if (pattern.test(code)) bad.push(`${name}: ${pattern.source}`);
    }
    expect(bad).toEqual([]);
  });

  it("a runtime adapter's RawRequest is read when given (headers and the raw target)", async () => {
    const registry = new InMemoryBackend();
    await registry.register("b", { model: "m" });
    const app = createApp({ registry });
    const raw = (target: string, headers: Record<string, string>): RawRequest => ({
      target,
      header: (name) => headers[name],
    });
    // The raw target with a dot segment is refused before URL resolution.
    const refused = await app.fetch(new Request("http://x/bots/b"), {
      [RAW_REQUEST]: raw("/bots/x/../b", {}),
    });
    expect(refused.status).toBe(400);
    // Headers come from the raw request: its If-None-Match makes the 304.
    const first = await app.fetch(new Request("http://x/bots/b"));
    const etag = first.headers.get("etag") as string;
    const cached = await app.fetch(new Request("http://x/bots/b"), {
      [RAW_REQUEST]: raw("/bots/b", { "if-none-match": etag }),
    });
    expect(cached.status).toBe(304);
    // Without one, the Web Request is read, as on Workers, Deno and Bun.
    const plain = await app.fetch(
      new Request("http://x/bots/b", { headers: { "if-none-match": etag } }),
    );
    expect(plain.status).toBe(304);
  });
});
