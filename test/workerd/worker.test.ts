// The Worker entry (worker/index.ts, wrangler.toml) serves the API from inside workerd.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

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
