// `botknobs serve` spawned as a process: its flags (which win over the environment), the README's
// curls, the exit codes of a bad value; and its own server (node:http alone, what it serves with
// when the optional peers are not installed) streaming, cancelling and refusing as it should.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveBuiltin } from "../../src/cli/serve-builtin.ts";
import type { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import { SseParser } from "../../src/core/events/sse-parser.ts";
import { createInMemoryApp } from "../../src/server/index.ts";
import { cli } from "../fixtures/cli.ts";
import { rawRequest } from "../fixtures/http-raw.ts";
import { npmStart } from "../fixtures/npm-start.ts";
import { readmeCurls } from "../fixtures/readme-curls.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("botknobs serve", () => {
  it("--data, --port and --host win over BOTKNOBS_DATA, PORT and BOTKNOBS_HOST; the README's curls answer", async () => {
    const port = await freePort();
    const server = await npmStart(
      { BOTKNOBS_DATA: join(dir, "from-env"), PORT: "1", BOTKNOBS_HOST: "0.0.0.0" },
      ["--data", join(dir, "from-flag"), "--port", String(port), "--host", "127.0.0.1"],
    );
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect(server.out()).toContain(`data kept in ${join(dir, "from-flag")};`);
      await readmeCurls(server.url);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("a port in use: exit 1, naming it and --port", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => holder.once("listening", r));
    const { port } = holder.address() as { port: number };
    try {
      const run = await cli(["serve", "--memory", "--port", String(port)]);
      expect([run.code, run.stderr]).toEqual([
        1,
        expect.stringContaining(
          `cannot listen on 127.0.0.1:${port} (in use): stop what holds it, or choose another with --port N`,
        ),
      ]);
    } finally {
      holder.close();
    }
  }, 60_000);

  it("a bad port or an open API beyond loopback: exit 2, naming the value and the fix", async () => {
    const [port, env, open] = await Promise.all([
      cli(["serve", "--memory", "--port", "70000"]),
      cli(["serve", "--memory"], { env: { PORT: "eighty" } }),
      cli(["serve", "--memory", "--host", "0.0.0.0"]),
    ]);
    expect([port.code, port.stderr]).toEqual([
      2,
      expect.stringContaining('invalid --port "70000": a whole number from 0 to 65535'),
    ]);
    expect([env.code, env.stderr]).toEqual([2, expect.stringContaining('invalid PORT "eighty"')]);
    expect([open.code, open.stderr]).toEqual([
      2,
      expect.stringContaining("refusing to serve without tokens on 0.0.0.0: set BOTKNOBS_TOKENS"),
    ]);
  }, 60_000);
});

describe("serve's own server (node:http, no optional peers)", () => {
  it("serves the API: JSON, an upload streamed in, HEAD without a body, an encoded dot segment refused", async () => {
    const { app } = createInMemoryApp();
    const server = await serveBuiltin(app, { hostname: "127.0.0.1", port: 0 });
    try {
      const body = "x".repeat(3 * 1024 * 1024);
      await fetch(`${server.url}/kb`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ domain_id: "big" }),
      });
      const put = await fetch(`${server.url}/kb/big/files/a.txt`, { method: "PUT", body });
      expect(put.status).toBe(201);
      const got = await fetch(`${server.url}/kb/big/files/a.txt`);
      expect((await got.text()).length).toBe(body.length);
      const head = await fetch(`${server.url}/kb/big/files/a.txt`, { method: "HEAD" });
      expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([
        200,
        String(body.length),
        "",
      ]);
      // The raw request reaches the app: an encoded dot segment (which fetch would normalise)
      // is refused as on serveApp.
      const port = Number(new URL(server.url).port);
      const dots = await rawRequest(port, "GET /kb/big/files/%2e%2e/a.txt HTTP/1.1");
      expect(dots.status).toBe(400);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("streams events as they happen, and a client that goes away ends its subscription", async () => {
    const services = createInMemoryApp();
    const bus = services.eventBus as InMemoryEventBus;
    const server = await serveBuiltin(services.app, { hostname: "127.0.0.1", port: 0 });
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/events`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const parser = new SseParser();
      const next = async (event: string): Promise<string> => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error("ended");
          const m = parser.push(value).find((x) => x.event === event);
          if (m) return m.data;
        }
      };
      await next("ready");
      await services.registry.register("live-bot", { llm: { model: "m" } });
      expect(JSON.parse(await next("message")).payload.bot_id).toBe("live-bot");
      // The stream's own subscription, beside the event history's (which stays).
      const open = bus.subscriptionCount;
      controller.abort();
      // The client's going reached the app's stream: its subscription is gone.
      for (let i = 0; i < 250 && bus.subscriptionCount === open; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(bus.subscriptionCount).toBe(open - 1);
    } finally {
      await server.close();
    }
  }, 60_000);
});
