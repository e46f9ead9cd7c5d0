// The rest of the API inside workerd: the SSE stream, a streamed upload, a ranged download, an
// ingestion job run with waitUntil, and the OpenAPI document.
import { describe, expect, it } from "vitest";
import {
  Event,
  EventType,
  InMemoryBackend,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";

function setup() {
  const bus = new InMemoryEventBus();
  const knowledge = new InMemoryKnowledgeBackend();
  const ingestion = new KnowledgeIngestionManager({
    source: knowledge,
    destination: new RAGKnowledgeBase(),
    eventBus: bus,
  });
  const app = createApp({
    registry: new InMemoryBackend({ eventBus: bus }),
    ingestion,
    eventBus: bus,
  });
  return { app, bus, knowledge };
}

describe("HTTP API inside workerd", () => {
  it("SSE - the stream says ready, then carries a published event", async () => {
    const { app, bus } = setup();
    const res = await app.request("/events?topics=registry:*");
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string): Promise<void> => {
      while (!text.includes(needle))
        text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await until("event: ready");
    await bus.publish(
      "registry:bots",
      new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: "w" } }),
    );
    await until('"bot_id":"w"');
    await reader.cancel();
  });

  it("upload streamed, download ranged, ingestion job, search", async () => {
    const { app } = setup();
    expect(
      (await app.request("/kb", { method: "POST", body: JSON.stringify({ domain_id: "d" }) }))
        .status,
    ).toBe(201);
    const body = new Blob(["# Reset\n\nTo reset your password open the settings page.\n"]).stream();
    const put = await app.request("/kb/d/files/faq.md", {
      method: "PUT",
      body,
      duplex: "half",
    } as RequestInit);
    expect(put.status).toBe(201);
    const part = await app.request("/kb/d/files/faq.md", { headers: { range: "bytes=2-6" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("Reset");
    const job = (await (await app.request("/kb/d/ingest", { method: "POST" })).json()) as {
      job_id: string;
    };
    await eventually(async () => {
      const status = (await (await app.request(`/kb/d/ingest/${job.job_id}`)).json()) as {
        status: string;
      };
      return status.status === "completed";
    });
    const search = (await (await app.request("/kb/d/search?q=password")).json()) as {
      results: { source: string }[];
    };
    expect(search.results[0]?.source).toBe("faq.md");
  });

  it("OpenAPI document is generated inside workerd too", async () => {
    const { app } = setup();
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/bots/{bot_id}");
  });
});
