// A deployed Worker fails closed (issue 22, item 6): without BOTKNOBS_TOKENS and without
// BOTKNOBS_PUBLIC it serves reads only, and every write — a PUT, a DELETE, an upload, an event, an
// ingestion — answers 403 naming both variables. The Worker entry runs inside workerd, called
// with an env that lacks BOTKNOBS_PUBLIC (the rest of the workerd tests run with it, as
// `npm run dev` does on loopback).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker, { type Env } from "../../worker/index.ts";

/** The test env without BOTKNOBS_PUBLIC, with `vars` added (a fresh object: its own isolate state). */
function envWith(vars: Partial<Env>): Env {
  const { BOTKNOBS_PUBLIC: _open, ...rest } = env;
  return { ...rest, ...vars } as Env;
}

async function call(e: Env, method: string, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://botknobs.test${path}`, { method, ...init }) as never,
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res as unknown as Response;
}

const json = { "content-type": "application/json" };
const writes: [string, string, RequestInit][] = [
  ["PUT", "/bots/intruder", { headers: json, body: JSON.stringify({ config: { x: 1 } }) }],
  ["POST", "/bots", { headers: json, body: JSON.stringify({ bot_id: "b", config: {} }) }],
  ["DELETE", "/bots/support-bot", {}],
  ["POST", "/kb", { headers: json, body: JSON.stringify({ domain_id: "invented-domain" }) }],
  ["PUT", "/kb/support/files/x.md", { body: "# x" }],
  ["POST", "/kb/support/ingest", {}],
  [
    "POST",
    "/events",
    { headers: json, body: JSON.stringify({ type: "custom", topic: "custom:x" }) },
  ],
];

describe("the Worker without tokens", () => {
  it("refuses every write with 403 naming BOTKNOBS_TOKENS and BOTKNOBS_PUBLIC", async () => {
    const closed = envWith({});
    for (const [method, path, init] of writes) {
      const res = await call(closed, method, path, init);
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 403`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("FORBIDDEN");
      expect(body.error.message).toContain("BOTKNOBS_TOKENS");
      expect(body.error.message).toContain("BOTKNOBS_PUBLIC=1");
    }
    // Nothing was written.
    expect((await call(closed, "GET", "/bots/intruder")).status).toBe(404);
    expect((await call(closed, "GET", "/kb/invented-domain")).status).toBe(404);
  });

  it("still serves reads", async () => {
    const closed = envWith({});
    expect((await call(closed, "GET", "/bots")).status).toBe(200);
    expect((await call(closed, "GET", "/openapi.json")).status).toBe(200);
  });

  it("with BOTKNOBS_TOKENS, a write needs the token (401 without it)", async () => {
    const guarded = envWith({ BOTKNOBS_TOKENS: "s3cret" });
    const [method, path, init] = writes[0] as [string, string, RequestInit];
    expect((await call(guarded, method, path, init)).status).toBe(401);
    const ok = await call(guarded, method, path, {
      ...init,
      headers: { ...json, authorization: "Bearer s3cret" },
    });
    expect(ok.status).toBe(200);
  });

  it("with BOTKNOBS_PUBLIC=1 (public on purpose), anyone may write", async () => {
    const open = envWith({ BOTKNOBS_PUBLIC: "1" });
    const res = await call(open, "PUT", "/bots/public-bot", writes[0]?.[2] as RequestInit);
    expect(res.status).toBe(200);
  });
});
