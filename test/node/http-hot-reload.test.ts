// Two processes share one registry through the HTTP API: the server runs in a child process;
// here a CachingRegistryManager reads it through HTTPRegistryBackend. A write on either side
// invalidates the cached instance — through the SSE event stream (EVENT_DRIVEN), or through
// revision() polling (POLLING), whose idle polls are 304s.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { WebSocketEventBus } from "../../src/core/events/ws-bus.ts";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import {
  CachingRegistryManager,
  HotReloadManager,
  type JsonObject,
  type Registration,
  ReloadMode,
} from "../../src/index.ts";
import { eventually } from "../../src/testing/index.ts";

interface Bot {
  config: JsonObject;
  version: number;
}
class BotManager extends CachingRegistryManager<Bot> {
  destroyed = 0;
  protected createInstance(_id: string, config: JsonObject, reg: Registration): Bot {
    return { config, version: reg.version };
  }
  protected override destroyInstance(): void {
    this.destroyed++;
  }
}

let child: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;
let rl: Interface;
let url: string;
let token: string;

async function command(cmd: Record<string, unknown>): Promise<unknown> {
  child.stdin.write(`${JSON.stringify(cmd)}\n`);
  const { value } = await lines.next();
  const reply = JSON.parse(value as string) as { ok: boolean; answer?: unknown; error?: string };
  if (!reply.ok) throw new Error(reply.error);
  return reply.answer;
}

beforeAll(async () => {
  const root = resolve(import.meta.dirname, "../..");
  child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/http-server.ts"], {
    cwd: root,
  });
  child.stderr.on("data", (d) => process.stderr.write(d));
  rl = createInterface({ input: child.stdout });
  lines = rl[Symbol.asyncIterator]();
  const first = JSON.parse((await lines.next()).value as string) as { url: string; token: string };
  url = first.url;
  token = first.token;
}, 30_000);

afterAll(async () => {
  rl?.close();
  child?.stdin.end();
  if (child && child.exitCode === null) {
    await new Promise((done) => {
      const timer = setTimeout(() => child.kill(), 5000);
      child.once("exit", () => {
        clearTimeout(timer);
        done(undefined);
      });
    });
  }
});

describe("two processes, one registry over HTTP", () => {
  for (const [transport, makeBus] of [
    ["SSE", () => new SSEEventBus({ baseUrl: url, authToken: token })],
    [
      "WebSocket",
      () =>
        new WebSocketEventBus({
          baseUrl: url,
          authToken: token,
          connect: (u, headers) => new WebSocket(u, { headers }),
        }),
    ],
  ] as const)
    it(`EVENT_DRIVEN - a write in the server process invalidates this process's instance via ${transport}`, async () => {
      const bus = makeBus();
      const manager = new BotManager({
        backend: new HTTPRegistryBackend({ baseUrl: url, authToken: token }),
        eventBus: bus,
      });
      const reload = new HotReloadManager({
        cachingManager: manager,
        eventBus: bus,
        mode: ReloadMode.EVENT_DRIVEN,
      });
      try {
        await manager.initialize();
        await reload.initialize();
        await command({ op: "register", id: "support-bot", config: { model: "a" } });
        expect((await manager.getOrCreate("support-bot")).config).toEqual({ model: "a" });
        expect(manager.isCached("support-bot")).toBe(true);

        // A write on the other side (inside the server's process) …
        await command({ op: "update", id: "support-bot", config: { model: "b" } });
        await eventually(() => !manager.isCached("support-bot"));
        expect(await manager.getOrCreate("support-bot")).toEqual({
          config: { model: "b" },
          version: 2,
        });

        // … and a PUT through the API from a second client both reach the cache.
        const writer = new HTTPRegistryBackend({ baseUrl: url, authToken: token });
        await writer.register("support-bot", { model: "c" });
        await eventually(() => !manager.isCached("support-bot"));
        expect((await manager.getOrCreate("support-bot")).config).toEqual({ model: "c" });

        await command({ op: "unregister", id: "support-bot" });
        await eventually(() => !manager.isCached("support-bot"));
        expect(manager.destroyed).toBe(3);
      } finally {
        await reload.shutdown();
        await manager.close();
        await bus.close();
      }
    });

  it("POLLING - revision() sees the write; idle polls cost a 304 and no listing", async () => {
    const backend = new HTTPRegistryBackend({ baseUrl: url, authToken: token });
    const manager = new BotManager({ backend });
    const reload = new HotReloadManager({
      cachingManager: manager,
      mode: ReloadMode.POLLING,
      pollingInterval: 0.02,
    });
    try {
      await command({ op: "register", id: "polled-bot", config: { v: 1 } });
      await manager.initialize();
      await reload.initialize();
      expect((await manager.getOrCreate("polled-bot")).config).toEqual({ v: 1 });
      // Let the poller settle on the current revision, then watch it idle.
      await new Promise((r) => setTimeout(r, 200));
      const before = (await command({ op: "stats" })) as { listed: number; notModified: number };
      await new Promise((r) => setTimeout(r, 300));
      const idle = (await command({ op: "stats" })) as { listed: number; notModified: number };
      expect(idle.notModified - before.notModified).toBeGreaterThan(3);
      expect(idle.listed).toBe(before.listed);

      await command({ op: "update", id: "polled-bot", config: { v: 2 } });
      await eventually(() => !manager.isCached("polled-bot"));
      expect((await manager.getOrCreate("polled-bot")).config).toEqual({ v: 2 });
      const after = (await command({ op: "stats" })) as { listed: number };
      expect(after.listed).toBeGreaterThan(idle.listed);
    } finally {
      await reload.shutdown();
      await manager.close();
    }
  });
});
