// The Worker entry (worker/index.ts, wrangler.toml) serves the API from inside workerd.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BlobKnowledgeBackend } from "../../src/index.ts";
import { eventually } from "../../src/testing/index.ts";
import { type Env, stores } from "../../worker/bindings.ts";

const call = (path: string, init?: RequestInit): Promise<Response> =>
  exports.default.fetch(`https://botknobs.test${path}`, init);

describe("the botknobs Worker", () => {
  it("registers and reads a bot, and searches a knowledge base, from workerd", async () => {
    const put = await call("/bots/worker-bot", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: { llm: { model: "claude-3-sonnet" } } }),
    });
    expect(put.status).toBe(200);
    const got = await call("/bots/worker-bot");
    expect(((await got.json()) as { config: unknown }).config).toEqual({
      llm: { model: "claude-3-sonnet" },
    });
    expect(
      (
        await call("/kb", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ domain_id: "support" }),
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call("/kb/support/files/faq.md", {
          method: "PUT",
          body: "# FAQ\n\n## How do I reset my password?\n\nGo to settings...",
        })
      ).status,
    ).toBe(201);
    expect((await call("/kb/support/ingest", { method: "POST" })).status).toBe(202);
  });

  it("an ingestion job while another run (another process or isolate) holds the lease waits, then runs", async () => {
    const json = { "content-type": "application/json" };
    await call("/kb", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ domain_id: "held" }),
    });
    await call("/kb/held/files/a.md", { method: "PUT", body: "# A\n\nherons and egrets" });
    // The other run: the same knowledge backend over the same R2 bucket, under its own token.
    const knowledge = new BlobKnowledgeBackend({ store: stores(env as unknown as Env).blobs });
    const info = await knowledge.getInfo("held");
    const other = { generation: info?.generation as string, owner: "another-run" };
    await knowledge.setIngestionStatus("held", "ingesting", null, other);
    const start = await call("/kb/held/ingest", { method: "POST" });
    expect(start.status).toBe(202);
    type Job = {
      job_id: string;
      status: string;
      waiting: unknown;
      result: { files_processed: number } | null;
    };
    const job = (await start.json()) as Job;
    expect([job.status, typeof (job.waiting as { until?: unknown })?.until]).toEqual([
      "running",
      "string",
    ]);
    // It does not run while the other holds the lease.
    await new Promise((r) => setTimeout(r, 300));
    const held = (await (await call(`/kb/held/ingest/${job.job_id}`)).json()) as Job;
    expect([held.status, held.result]).toEqual(["running", null]);
    await knowledge.setIngestionStatus("held", "ready", null, other);
    let now = job;
    await eventually(async () => {
      now = (await (await call(`/kb/held/ingest/${job.job_id}`)).json()) as Job;
      return now.status !== "running";
    }, 20_000);
    expect([now.status, now.waiting, now.result?.files_processed]).toEqual(["completed", null, 1]);
  }, 30_000);
});

describe("the Worker's 404s", () => {
  it("answers every unknown route with the JSON error body, trailing slashes included", async () => {
    for (const [method, path] of [
      ["POST", "/kb/x/ingest/"],
      ["GET", "/kb/x/ingest/"],
      ["POST", "/kb/x/"],
      ["GET", "/nothing"],
      ["POST", "/events/"],
      ["DELETE", "/events"],
      ["PUT", "/events"],
    ] as const) {
      const res = await call(path, { method });
      expect(`${method} ${path} ${res.status} ${res.headers.get("content-type")}`).toBe(
        `${method} ${path} 404 application/json`,
      );
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe("NOT_FOUND");
    }
  });
});
