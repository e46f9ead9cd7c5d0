// The HTTP API over the Cloudflare stores inside workerd: two API instances (each with its own
// registry, caches, locks and search index, as two isolates of a Worker hold) over one D1
// database and one R2 bucket.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { D1RecordStore, R2BlobStore } from "../../src/adapters/cloudflare/index.ts";
import { createAppOver, type ServedApp } from "../../src/server/index.ts";

beforeAll(async () => {
  await applyD1Migrations(env.REGISTRY_DB, env.TEST_MIGRATIONS);
});

/** One API instance over the shared bindings, initialized. */
async function instance(): Promise<ServedApp> {
  const served = createAppOver({
    records: new D1RecordStore({ db: env.REGISTRY_DB }),
    blobs: new R2BlobStore({ bucket: env.KNOWLEDGE }),
  });
  await served.registry.initialize();
  await served.knowledge.initialize();
  return served;
}

const call = async (app: ServedApp, path: string, init?: RequestInit): Promise<Response> =>
  app.app.request(`https://botknobs.test${path}`, init);

describe("the API over D1 and R2, from two instances (workerd)", () => {
  afterEach(async () => {
    await new D1RecordStore({ db: env.REGISTRY_DB }).clear();
    const listed = await env.KNOWLEDGE.list();
    if (listed.objects.length) await env.KNOWLEDGE.delete(listed.objects.map((o) => o.key));
  });

  it("1,000 concurrent PUTs to one bot, half through each instance: each version exactly once, history complete", async () => {
    const apps = [await instance(), await instance()];
    const responses = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        call(apps[i % 2] as ServedApp, "/bots/hot", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ config: { writer: i } }),
        }),
      ),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => {
        expect(r.status).toBeLessThan(300);
        return (await r.json()) as { version: number; config: { writer: number } };
      }),
    );
    const versions = bodies.map((b) => b.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    // The history holds every version once, each with the config its PUT wrote.
    const byVersion = new Map(bodies.map((b) => [b.version, b.config.writer]));
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = (await (
        await call(
          apps[1] as ServedApp,
          `/bots/hot/versions?limit=300${cursor ? `&cursor=${cursor}` : ""}`,
        )
      ).json()) as { items: { version: number; config: { writer: number } }[]; cursor?: string };
      for (const item of page.items) {
        seen.push(item.version);
        expect(item.config.writer).toBe(byVersion.get(item.version));
      }
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 1_000 }, (_, i) => 1_000 - i));
    const current = (await (await call(apps[0] as ServedApp, "/bots/hot")).json()) as {
      version: number;
    };
    expect(current.version).toBe(1_000);
  }, 120_000);

  it("an instance answers a search for a knowledge base another instance ingested", async () => {
    const [writer, reader] = [await instance(), await instance()];
    await ingest((path, init) => call(writer, path, init), "support", FAQ);
    expect(await sources((path) => call(reader, path), "support", "reset password")).toEqual([
      "faq.md",
    ]);
  });

  it("two isolates (two Workers sharing the R2 bucket) answer searches for what the other ingested", async () => {
    const here = await instance();
    const there = (path: string, init?: RequestInit) =>
      env.SECOND_ISOLATE.fetch(`https://second.test${path}`, init);
    await ingest((path, init) => call(here, path, init), "support", FAQ);
    await ingest(there, "billing", BILLING);
    expect(await sources(there, "support", "reset password")).toEqual(["faq.md"]);
    expect(await sources((path) => call(here, path), "billing", "invoices emailed")).toEqual([
      "invoices.md",
    ]);
  });
});

type Call = (path: string, init?: RequestInit) => Promise<Response>;

const FAQ = {
  "faq.md": "# FAQ\n\n## How do I reset my password?\n\nGo to settings and choose Reset password.",
  "billing.md": "# Billing\n\n## Plans\n\nThe Pro plan costs more.",
};
const BILLING = {
  "invoices.md": "# Invoices\n\n## When\n\nInvoices are emailed monthly.",
  "refunds.md": "# Refunds\n\n## How\n\nAsk support within 30 days.",
};

/** Creates a knowledge base through the API, uploads `files`, ingests and waits for completion. */
async function ingest(api: Call, domain: string, files: Record<string, string>): Promise<void> {
  const created = await api("/kb", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ domain_id: domain }),
  });
  expect(created.status).toBe(201);
  for (const [path, body] of Object.entries(files))
    expect((await api(`/kb/${domain}/files/${path}`, { method: "PUT", body })).status).toBe(201);
  const job = await api(`/kb/${domain}/ingest`, { method: "POST" });
  expect(job.status).toBe(202);
  const location = job.headers.get("location") as string;
  for (let i = 0; i < 400; i++) {
    const state = (await (await api(location)).json()) as { status: string };
    if (state.status !== "running") {
      expect(state.status).toBe("completed");
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`ingestion of ${domain} did not finish`);
}

/** The sources of the top hit of a search through the API. */
async function sources(api: Call, domain: string, q: string): Promise<string[]> {
  const answer = await api(`/kb/${domain}/search?q=${encodeURIComponent(q)}&k=1`);
  expect(answer.status).toBe(200);
  const { results } = (await answer.json()) as { results: { source: string }[] };
  return results.map((r) => r.source);
}
