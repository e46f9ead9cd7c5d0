// The web console on the Worker (worker/index.ts inside workerd): `GET /` answers the console's
// page with its CSP, the page's script and style sheet load from the Worker (gzipped bytes
// passed through as they are, `encodeBody: "manual"`), and with tokens on the page still loads
// while the API it reads answers 401 — which is what makes the page ask for a token.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker, { type Env } from "../../worker/index.ts";

async function call(e: Env, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://botknobs.test${path}`, { headers }) as never,
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res as unknown as Response;
}

const open = env as unknown as Env;

/** The script and style sheet a page names. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(console\/[^"]+)"/g)].map((m) => m[1] as string);
}

describe("the web console on the Worker", () => {
  it("GET / answers the console page with its CSP, and its script and style sheet load", async () => {
    const page = await call(open, "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain(
      "require-trusted-types-for 'script'",
    );
    const html = await page.text();
    expect(html).toContain("<title>botknobs console</title>");
    const assets = assetsOf(html);
    expect(assets).toHaveLength(2);
    for (const path of assets) {
      const res = await call(open, `/${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get("cache-control")).toContain("immutable");
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
  });

  it("a client that takes gzip gets the file gzipped once (through the runtime, as a browser would)", async () => {
    // Through the runtime's fetch, which decodes the body as a browser does: without
    // `encodeBody: "manual"` workerd would gzip the gzipped bytes again, and what decodes here
    // would still be gzip.
    const path = `/${assetsOf(await (await call(open, "/")).text())[0]}`;
    const plain = await (await call(open, path)).text();
    const zipped = await exports.default.fetch(`https://botknobs.test${path}`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(await zipped.text()).toBe(plain);
    // In-process, the body is the gzip bytes themselves.
    const bytes = new Uint8Array(
      await (await call(open, path, { "accept-encoding": "gzip, br" })).arrayBuffer(),
    );
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.length).toBeLessThan(plain.length / 2);
  });

  it("with BOTKNOBS_TOKENS the page loads without a token and the API answers 401", async () => {
    const { BOTKNOBS_PUBLIC: _open, ...rest } = open;
    const guarded = { ...rest, BOTKNOBS_TOKENS: "s3cret" } as Env;
    const page = await call(guarded, "/");
    expect(page.status).toBe(200);
    for (const path of assetsOf(await page.text()))
      expect((await call(guarded, `/${path}`)).status).toBe(200);
    const api = await call(guarded, "/bots");
    expect(api.status).toBe(401);
    expect(api.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await call(guarded, "/bots", { authorization: "Bearer s3cret" })).status).toBe(200);
  });
});
