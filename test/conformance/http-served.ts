/**
 * The HTTP API served by a runtime's own server (`Deno.serve`, `Bun.serve`): the registry
 * conformance suite through `HTTPRegistryBackend` over loopback, and a knowledge round trip.
 */
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import {
  InMemoryBackend,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
  type RegistryBackend,
} from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { registryBackendSuite, type TestHarness } from "../../src/testing/index.ts";

/** A server the runtime started on 127.0.0.1. */
export interface RuntimeServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `fetch` on a free loopback port with the runtime's own server. */
export type RuntimeServe = (
  fetch: (request: Request) => Response | Promise<Response>,
) => Promise<RuntimeServer>;

export function runServedSuites(h: TestHarness, runtime: string, serve: RuntimeServe): void {
  const servers = new Map<RegistryBackend, RuntimeServer>();
  registryBackendSuite(h, {
    name: `HTTPRegistryBackend → createApp on ${runtime}'s own server`,
    async create({ now, eventBus }) {
      const app = createApp({ registry: new InMemoryBackend({ now, eventBus }) });
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
}
