// Several `npm start` processes on one data folder, as the README promises: every write made
// through one is heard, once, by the event-stream clients (SSE and WebSocket) of every other —
// with the registry and its event log in SQLite (the default) and in files (--store file).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Event } from "../../src/core/events/event.ts";
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { SseParser } from "../../src/core/events/sse-parser.ts";
import type { EventBus } from "../../src/core/events/types.ts";
import { WebSocketEventBus } from "../../src/core/events/ws-bus.ts";
import { eventually } from "../../src/testing/index.ts";
import { npmStart, type Started } from "../fixtures/npm-start.ts";

const data = mkdtempSync(join(tmpdir(), "botknobs-shared-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

const put = (url: string, id: string, model: string): Promise<Response> =>
  fetch(`${url}/bots/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ config: { llm: { model } } }),
  });

/** Every event a client of `bus` hears. */
async function listen(bus: EventBus): Promise<Event[]> {
  const heard: Event[] = [];
  await bus.subscribe("*", (e) => void heard.push(e), { pattern: "*" });
  return heard;
}

const versionsOf = (heard: Event[], botId: string): unknown[] =>
  heard.filter((e) => e.payload.bot_id === botId).map((e) => e.payload.version);

/**
 * Opens `GET /events` naming the last event seen (as a client moved to another process does) and
 * reads up to the `ready` message: whether the server resumed, and the events it sent before.
 */
async function resumeAt(
  url: string,
  lastEventId: string,
): Promise<{ resumed: boolean; missed: unknown[] }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/events?topics=registry:*`, {
    headers: { "last-event-id": lastEventId },
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parser = new SseParser();
  const missed: unknown[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before its ready message");
      for (const m of parser.push(value)) {
        if (m.event === "message") missed.push(JSON.parse(m.data).payload.version);
        if (m.event === "ready") return { resumed: JSON.parse(m.data).resumed, missed };
      }
    }
  } finally {
    controller.abort();
  }
}

describe.each(["sqlite", "file"])("npm start: processes sharing a data folder (%s)", (store) => {
  it("an SSE client of A hears a PUT through B, a WebSocket client of B one through A, each once; ingestion and POST /events cross too; a client moving from A to B resumes by its last event id", async () => {
    const env = { BOTKNOBS_DATA: join(data, store), BOTKNOBS_STORE: store };
    const started: Started[] = [];
    const buses: EventBus[] = [];
    try {
      const a = await npmStart(env);
      started.push(a);
      const b = await npmStart(env);
      started.push(b);
      for (const s of started)
        expect(s.out()).toContain(
          store === "sqlite" ? "registry and events in SQLite" : "registry and events in files",
        );
      const sse = new SSEEventBus({ baseUrl: a.url });
      const ws = new WebSocketEventBus({
        baseUrl: b.url,
        connect: (u, headers) => new WebSocket(u, { headers }),
      });
      buses.push(sse, ws);
      const atA = await listen(sse);
      const atB = await listen(ws);

      expect((await put(b.url, "crossing-bot", "model-b")).status).toBe(200);
      await eventually(() => versionsOf(atA, "crossing-bot").length === 1);
      expect((await put(a.url, "crossing-bot", "model-a")).status).toBe(200);
      await eventually(() => versionsOf(atB, "crossing-bot").length === 2);

      const ingest = await fetch(`${b.url}/kb/support/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ force: true }),
      });
      expect(ingest.status).toBe(202);
      await eventually(
        () =>
          atA.some((e) => e.topic === "knowledge:ingestion" && e.payload.domain_id === "support"),
        20_000,
      );
      const custom = await fetch(`${a.url}/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "custom", topic: "ops:notice", payload: { n: 1 } }),
      });
      expect(custom.status).toBe(202);
      await eventually(() => atB.some((e) => e.topic === "ops:notice"));

      // An event keeps its id across processes: a client of A that moves to B resumes there.
      const first = atA.find((e) => e.payload.bot_id === "crossing-bot") as Event;
      expect(await resumeAt(b.url, first.eventId)).toEqual({ resumed: true, missed: [2] });

      // Once each, in the order written, on both sides (one process's own and the other's alike).
      expect(versionsOf(atA, "crossing-bot")).toEqual([1, 2]);
      expect(versionsOf(atB, "crossing-bot")).toEqual([1, 2]);
      expect(atA.filter((e) => e.topic === "knowledge:ingestion")).toHaveLength(1);
      expect(atB.filter((e) => e.topic === "ops:notice")).toHaveLength(1);
    } finally {
      for (const bus of buses) await bus.close();
      for (const s of started) await s.stop();
    }
  }, 120_000);
});
