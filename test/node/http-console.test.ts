// The web console's routes on the app (`createApp`): the page and its two files, their headers
// (CSP, caching, gzip when taken), served without a token when tokens are on while every API
// route still needs one; `console: false` leaves `GET /` a 404, as before the console.
import { describe, expect, it } from "vitest";
import { InMemoryBackend } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";

const auth = { tokens: [{ name: "ci", token: "s3cret" }] };

async function files(app: ReturnType<typeof createApp>): Promise<string[]> {
  const html = await (await app.request("/")).text();
  return [...html.matchAll(/(?:src|href)="(console\/[^"]+)"/g)].map((m) => `/${m[1]}`);
}

describe("the web console's routes", () => {
  it("GET / answers the page with its CSP; its script and style sheet are cached for good", async () => {
    const app = createApp({ registry: new InMemoryBackend() });
    const page = await app.request("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const csp = page.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "require-trusted-types-for 'script'",
    ])
      expect(csp).toContain(directive);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const named = await files(app);
    const script = named.find((f) => f.endsWith(".js"));
    const style = named.find((f) => f.endsWith(".css"));
    expect(named).toHaveLength(2);
    expect(script).toMatch(/^\/console\/console\.[0-9a-f]{12}\.js$/);
    expect(style).toMatch(/^\/console\/console\.[0-9a-f]{12}\.css$/);
    const js = await app.request(script as string);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await app.request(style as string)).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
    const head = await app.request("/", { method: "HEAD" });
    expect([head.status, await head.text()]).toEqual([200, ""]);
  });

  it("gzips for a client that takes it, not for one that refuses it (q=0)", async () => {
    const app = createApp({ registry: new InMemoryBackend() });
    const script = (await files(app)).find((f) => f.endsWith(".js"));
    const plain = await (await app.request(script as string)).text();
    const zipped = await app.request(script as string, {
      headers: { "accept-encoding": "br, gzip;q=0.8" },
    });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("Accept-Encoding");
    const body = zipped.body?.pipeThrough(new DecompressionStream("gzip"));
    expect(await new Response(body).text()).toBe(plain);
    const refused = await app.request(script as string, {
      headers: { "accept-encoding": "gzip;q=0, identity" },
    });
    expect(refused.headers.get("content-encoding")).toBeNull();
    expect(await refused.text()).toBe(plain);
  });

  it("an unknown console file is a 404 in the API's error shape", async () => {
    const app = createApp({ registry: new InMemoryBackend(), auth });
    const res = await app.request("/console/console.000000000000.js");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("with tokens on, the page and its files answer without one; the API answers 401", async () => {
    const app = createApp({ registry: new InMemoryBackend(), auth });
    expect((await app.request("/")).status).toBe(200);
    for (const file of await files(app)) expect((await app.request(file)).status).toBe(200);
    for (const path of ["/bots", "/openapi.json", "/events", "/audit", "/kb"])
      expect([path, (await app.request(path)).status]).toEqual([path, 401]);
    const doc = (await (
      await app.request("/openapi.json", { headers: { authorization: "Bearer s3cret" } })
    ).json()) as { paths: Record<string, { get: { security?: unknown[] } }> };
    expect(doc.paths["/"]?.get.security).toEqual([]);
    expect(doc.paths["/console/{name}"]?.get.security).toEqual([]);
  });

  it("console: false serves no console: GET / is a 404 and the OpenAPI document lists no console", async () => {
    const app = createApp({ registry: new InMemoryBackend(), console: false });
    expect((await app.request("/")).status).toBe(404);
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: object };
    expect(Object.keys(doc.paths)).not.toContain("/");
  });
});
