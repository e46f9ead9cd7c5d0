// End to end under `wrangler dev` (what `npm run dev` runs): the seeded demo, the README's HTTP
// contract, /events as Server-Sent Events and as a WebSocket through the EventHub, then a
// restart on the same --persist-to folder. The hub's replay window is in Durable Object storage,
// the registry in D1 and the knowledge with its search index in R2 (worker/bindings.ts,
// STORES_PERSIST): all of it survives.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { STORES_PERSIST } from "../../worker/bindings.ts";
import { type DevProcess, startDev } from "./wrangler-dev-process.ts";

let persist = "";
let base = "";
let dev: DevProcess | undefined;

/** Starts the Worker exactly as a user does, `npm run dev -- --port <p> …`, on `persist`. */
async function start(): Promise<void> {
  dev = await startDev({ persist });
  base = dev.base;
}

/** Stops it (wrangler and its workerd), waiting for it to exit. */
async function stop(): Promise<void> {
  await dev?.stop();
  dev = undefined;
}

/** Reads Server-Sent Events until `needle` shows. */
async function sse(path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { headers, signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    async until(needle: string): Promise<string> {
      const deadline = Date.now() + 10_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in:\n${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}:\n${text}`);
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => controller.abort(),
  };
}

const json = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
};
const putBot = (id: string, model: string) =>
  json<{ version: number }>(`/bots/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ config: { llm: { provider: "anthropic", model } } }),
  });

beforeAll(async () => {
  persist = await mkdtemp(join(tmpdir(), "botknobs-wrangler-dev-"));
  await start();
}, 90_000);

afterAll(async () => {
  await stop();
  await rm(persist, { recursive: true, force: true });
}, 30_000);

describe("npm run dev (wrangler dev) end to end", () => {
  let createdEventId = "";
  let markerEventId = "";

  it("serves the seeded demo and the README's curl examples", async () => {
    const bot = await json<{ config: { llm: { model: string } }; version: number }>(
      "/bots/support-bot",
    );
    expect(bot.status).toBe(200);
    expect(bot.body.config.llm.model).toBe("claude-3-sonnet");
    const search = await json<{ results: { source: string }[] }>(
      "/kb/support/search?q=reset+password&k=3",
    );
    expect(search.body.results[0]?.source).toBe("faq.md");
    const file = await fetch(`${base}/kb/support/files/guide.md`, {
      method: "PUT",
      body: "# Guide\n\nHello.",
    });
    expect(file.status).toBe(201);
    const ingest = await fetch(`${base}/kb/support/ingest`, { method: "POST" });
    expect(ingest.status).toBe(202);
    expect((await json<{ openapi: string }>("/openapi.json")).body.openapi).toBe("3.1.0");
  });

  it("streams a PUT as Server-Sent Events, and events over a WebSocket", async () => {
    const stream = await sse("/events?topics=registry:*");
    try {
      await stream.until("event: ready");
      expect((await putBot("my-bot", "claude-3-opus")).status).toBe(200);
      const text = await stream.until('"bot_id":"my-bot"');
      createdEventId = /id: (\S+)\ndata: [^\n]*"bot_id":"my-bot"/.exec(text)?.[1] ?? "";
      expect(createdEventId).not.toBe("");
    } finally {
      stream.close();
    }
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/events?topics=custom:*`);
    const frames: { kind: string; event?: { event_id: string; payload: { n?: number } } }[] = [];
    socket.on("message", (data) => frames.push(JSON.parse(String(data))));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no ready frame")), 10_000);
        socket.on("message", () => {
          if (frames.some((f) => f.kind === "ready")) {
            clearTimeout(timer);
            resolve();
          }
        });
        socket.once("error", reject);
      });
      const posted = await json<{ event_id: string }>("/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "custom", topic: "custom:marker", payload: { n: 7 } }),
      });
      expect(posted.status).toBe(202);
      markerEventId = posted.body.event_id;
      const deadline = Date.now() + 10_000;
      while (!frames.some((f) => f.event?.event_id === markerEventId)) {
        if (Date.now() > deadline) throw new Error(`no marker in ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(frames.find((f) => f.event?.event_id === markerEventId)?.event?.payload.n).toBe(7);
    } finally {
      socket.close();
    }
  });

  it("the cron trigger (scheduled by hand) announces a change on registry:changes", async () => {
    const stream = await sse("/events?topics=registry:changes");
    try {
      await stream.until("event: ready");
      expect((await fetch(`${base}/cdn-cgi/handler/scheduled`)).status).toBe(200); // baseline
      expect((await putBot("cron-bot", "m1")).status).toBe(200);
      expect((await fetch(`${base}/cdn-cgi/handler/scheduled`)).status).toBe(200);
      const text = await stream.until('"bot_id":"cron-bot"');
      expect(text).toMatch(/"type":"created","topic":"registry:changes"/);
    } finally {
      stream.close();
    }
  });

  it("restarted on the same folder: the hub's window is still there (resynchronise notice)", async () => {
    await stop();
    await start();
    // The marker was published after my-bot's creation: it comes back from the stored window,
    // and the ready frame says resumed: false (the hub restarted, so the client resynchronises).
    const stream = await sse("/events", { "last-event-id": createdEventId });
    try {
      // The ready frame's data line may come in a later read than its `event:` line.
      const text = await stream.until('"resumed":');
      expect(text).toContain(`id: ${markerEventId}`);
      expect(text).toMatch(/event: ready\ndata: \{[^\n]*"resumed":false/);
    } finally {
      stream.close();
    }
  }, 90_000);

  it.skipIf(!STORES_PERSIST)(
    "restarted: the registry, its history and the knowledge are still there, not re-seeded",
    async () => {
      const bot = await json<{ config: { llm: { model: string } }; version: number }>(
        "/bots/my-bot",
      );
      expect(bot.status).toBe(200);
      expect(bot.body.config.llm.model).toBe("claude-3-opus");
      expect((await json<{ version: number }>("/bots/support-bot")).body.version).toBe(1);
      const file = await fetch(`${base}/kb/support/files/guide.md`);
      expect(await file.text()).toBe("# Guide\n\nHello.");
      const search = await json<{ results: { source: string }[] }>("/kb/support/search?q=hello");
      expect(search.body.results.map((r) => r.source)).toContain("guide.md");
    },
  );
});
