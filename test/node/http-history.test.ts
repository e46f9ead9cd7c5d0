// The registry's history over HTTP (`/bots/{id}/versions`, `/versions/{v}`, `/rollback`) and
// the paged `GET /bots`, at `/bots` and at the `/configs` alias: status codes, bodies, ETags,
// preconditions, and the OpenAPI document describing them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryBackend, InMemoryEventBus, type RegistrationDict } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

interface Body {
  items: RegistrationDict[];
  cursor?: string;
  revision?: string;
  error: { code: string; message: string };
}

let served: Served;
const bus = new InMemoryEventBus();
const events: string[] = [];
beforeAll(async () => {
  await bus.subscribe("registry:bots", (e) => void events.push(`${e.type}:${e.payload.version}`));
  served = await listen(createApp({ registry: new InMemoryBackend({ eventBus: bus }) }));
});
afterAll(() => served.close());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Body & RegistrationDict }> {
  const res = await fetch(`${served.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

for (const base of ["/bots", "/configs"]) {
  describe(`history over HTTP at ${base}`, () => {
    const id = `hist${base.replace("/", "-")}`;
    beforeAll(async () => {
      for (const model of ["a", "b", "c"]) {
        const res = await call("PUT", `${base}/${id}`, { config: { model }, metadata: { model } });
        expect(res.status).toBe(200);
      }
    });

    it("GET versions - newest first, paged by limit and cursor; 404 for a missing bot", async () => {
      const all = await call("GET", `${base}/${id}/versions`);
      expect(all.status).toBe(200);
      expect(all.json.items.map((r) => [r.version, r.config.model])).toEqual([
        [3, "c"],
        [2, "b"],
        [1, "a"],
      ]);
      expect(all.json.cursor).toBeUndefined();
      const first = await call("GET", `${base}/${id}/versions?limit=2`);
      expect(first.json.items.map((r) => r.version)).toEqual([3, 2]);
      const rest = await call(
        "GET",
        `${base}/${id}/versions?limit=2&cursor=${encodeURIComponent(first.json.cursor as string)}`,
      );
      expect([rest.json.items.map((r) => r.version), rest.json.cursor]).toEqual([[1], undefined]);
      expect((await call("GET", `${base}/ghost/versions`)).status).toBe(404);
      for (const q of ["limit=0", "limit=1001", "limit=x", "cursor=", "cursor=abc"])
        expect([q, (await call("GET", `${base}/${id}/versions?${q}`)).status]).toEqual([q, 400]);
    });

    it("GET versions/{v} - the version with its ETag (304 on If-None-Match); 404; 400", async () => {
      const v1 = await call("GET", `${base}/${id}/versions/1`);
      expect(v1.status).toBe(200);
      expect([v1.json.version, v1.json.config]).toEqual([1, { model: "a" }]);
      const etag = v1.headers.get("etag") as string;
      expect(etag).toBe(`"${v1.json.etag}"`);
      expect(
        (await call("GET", `${base}/${id}/versions/1`, undefined, { "if-none-match": etag }))
          .status,
      ).toBe(304);
      expect((await call("GET", `${base}/${id}/versions/99`)).json.error.code).toBe("NOT_FOUND");
      expect((await call("GET", `${base}/ghost/versions/1`)).status).toBe(404);
      for (const bad of ["0", "-1", "1.5", "x", "01", "9".repeat(16)])
        expect([bad, (await call("GET", `${base}/${id}/versions/${bad}`)).status]).toEqual([
          bad,
          400,
        ]);
    });

    it("POST rollback - a new version with the old content and etag; 412, 404, 400", async () => {
      const v1 = (await call("GET", `${base}/${id}/versions/1`)).json;
      const before = events.length;
      const stale = await call(
        "POST",
        `${base}/${id}/rollback`,
        { version: 1 },
        { "if-match": '"1"' },
      );
      expect([stale.status, stale.json.error.code]).toEqual([412, "PRECONDITION_FAILED"]);
      const staleEtag = await call(
        "POST",
        `${base}/${id}/rollback`,
        { version: 1 },
        { "if-match": `"${v1.etag}"` },
      );
      expect(staleEtag.status).toBe(412);
      expect(
        (await call("POST", `${base}/${id}/rollback`, { version: 1 }, { "if-match": '"nope"' }))
          .status,
      ).toBe(412);
      const current = (await call("GET", `${base}/${id}?peek=1`)).json;
      const ok = await call(
        "POST",
        `${base}/${id}/rollback`,
        { version: 1 },
        { "if-match": `"${current.etag}"` },
      );
      expect(ok.status).toBe(200);
      expect([ok.json.version, ok.json.config, ok.json.metadata, ok.json.etag]).toEqual([
        4,
        { model: "a" },
        { model: "a" },
        v1.etag,
      ]);
      expect(ok.headers.get("etag")).toBe(`"${v1.etag}"`);
      expect(events.slice(before)).toEqual(["updated:4"]);
      const byVersion = await call(
        "POST",
        `${base}/${id}/rollback`,
        { version: 2 },
        { "if-match": "4" },
      );
      expect([byVersion.status, byVersion.json.version, byVersion.json.config]).toEqual([
        200,
        5,
        { model: "b" },
      ]);
      expect((await call("POST", `${base}/${id}/rollback`, { version: 99 })).json.error.code).toBe(
        "NOT_FOUND",
      );
      expect((await call("POST", `${base}/ghost/rollback`, { version: 1 })).status).toBe(404);
      for (const body of [
        {},
        { version: 0 },
        { version: "1" },
        { version: 1.5 },
        { version: 1, x: 1 },
        "nope",
      ])
        expect([body, (await call("POST", `${base}/${id}/rollback`, body)).status]).toEqual([
          body,
          400,
        ]);
      expect(
        (await call("POST", `${base}/${id}/rollback`, { version: 1 }, { "if-match": "garbage!" }))
          .status,
      ).toBe(400);
      expect(events.slice(before)).toEqual(["updated:4", "updated:5"]);
    });

    it("wrong methods on the history paths are 405 with Allow", async () => {
      const put = await call("PUT", `${base}/${id}/versions`, {});
      expect([put.status, put.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
      const get = await call("GET", `${base}/${id}/rollback`);
      expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
      expect((await call("DELETE", `${base}/${id}/versions/1`)).status).toBe(405);
      expect((await call("GET", `${base}/${id}/other`)).status).toBe(400);
    });
  });
}

describe("GET /bots pages", () => {
  it("limit and cursor walk every bot once in id order; the revision is the ETag of each page", async () => {
    const local = createApp({ registry: new InMemoryBackend() });
    const ids = Array.from({ length: 11 }, (_, i) => `p-${String((i * 5) % 11).padStart(2, "0")}`);
    for (const id of ids)
      await local.request(`/bots/${id}`, { method: "PUT", body: JSON.stringify({ config: {} }) });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await local.request(
        `/bots?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      const body = (await res.json()) as Body;
      expect(res.headers.get("etag")).toBe(`"${body.revision}"`);
      expect(body.items.length).toBeLessThanOrEqual(4);
      seen.push(...body.items.map((r) => r.bot_id));
      cursor = body.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual([...ids].sort());
    expect(pages).toBe(3);
    for (const q of ["limit=0", "limit=1001", "limit=2.5", "cursor="])
      expect([q, (await local.request(`/bots?${q}`)).status]).toEqual([q, 400]);
  });
});

describe("OpenAPI", () => {
  it("describes the history routes and the paged list", async () => {
    const doc = (await call("GET", "/openapi.json")).json as unknown as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const base of ["/bots", "/configs"]) {
      expect(Object.keys(doc.paths[`${base}/{bot_id}/versions`] ?? {})).toContain("get");
      expect(Object.keys(doc.paths[`${base}/{bot_id}/versions/{version}`] ?? {})).toContain("get");
      expect(Object.keys(doc.paths[`${base}/{bot_id}/rollback`] ?? {})).toContain("post");
      expect(doc.paths[base]?.get?.parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(["status", "cursor", "limit", "If-None-Match"]),
      );
    }
    expect(Object.keys(doc.components.schemas.Rollback?.properties ?? {})).toEqual([
      "version",
      "reason",
    ]);
    expect(Object.keys(doc.components.schemas.VersionList?.properties ?? {})).toEqual([
      "items",
      "cursor",
    ]);
    expect(Object.keys(doc.components.schemas.RegistrationList?.properties ?? {})).toContain(
      "cursor",
    );
  });
});
