/**
 * Labels, splits, diffs and the audit trail through the HTTP API itself (status codes, headers,
 * bodies, protected labels, the actor as the token's name): the bad inputs of issue 20 each as a
 * case. Runs on Node (test/node/http-labels.test.ts) and inside workerd over D1
 * (test/workerd/http-labels.test.ts), through `app.request`.
 */
import type { Hono } from "hono";
import { applyJsonPatch } from "../../src/core/util/json-patch.ts";
import type { AuditEntryDict, BotLabelsDict, RegistrationDict } from "../../src/index.ts";
import type { TestHarness } from "../../src/testing/index.ts";
import { type AppAnswer, appCall } from "./app-call.ts";

/** What a case gets: an app with tokens `rw` (named `alice`), `ops` (may move protected labels) and `ro` (read-only). */
export type MakeApp = (options: {
  auth: {
    tokens: { name: string; token: string; protectedLabels?: boolean }[];
    readOnlyTokens: string[];
  };
  historyLimit?: number;
}) => Promise<{ app: Hono; close(): Promise<void> }>;

const AUTH = {
  tokens: [
    { name: "alice", token: "rw" },
    { name: "ops-bot", token: "ops", protectedLabels: true },
  ],
  readOnlyTokens: ["ro"],
};

type Answer<T> = AppAnswer<T>;

export function httpLabelCases(h: TestHarness, runtime: string, make: MakeApp): void {
  const { describe, it, expect, beforeEach, afterEach } = h;

  describe(`labels, splits, diffs and the audit trail over HTTP (${runtime})`, () => {
    let served: { app: Hono; close(): Promise<void> };
    beforeEach(async () => {
      served = await make({ auth: AUTH });
    });
    afterEach(() => served.close());

    const call = <T = Record<string, unknown>>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
      token = "rw",
      app: Hono = served.app,
    ): Promise<Answer<T>> => appCall<T>(app, method, path, { body, headers, token });
    const errorOf = (a: Answer<unknown>): { code: string; message: string } =>
      (a.body as { error: { code: string; message: string } }).error;

    /** Bot `b` at versions 1–3 (`{ v: n }`). */
    async function threeVersions(app?: Hono): Promise<void> {
      for (let v = 1; v <= 3; v++)
        expect((await call("PUT", "/bots/b", { config: { v } }, {}, "rw", app)).status).toBe(200);
    }

    it("PUT and GET labels: a version, the bot's labels with its version (and a hash) as ETag; GET ?label= serves it with headers", async () => {
      await threeVersions();
      const put = await call<BotLabelsDict>("PUT", "/bots/b/labels/stable", { version: 2 });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({
        bot_id: "b",
        version: 4,
        status: "active",
        labels: { latest: { version: 4 }, stable: { version: 2 } },
      });
      expect(put.headers.get("etag")).toMatch(/^"4\.[0-9a-z]{1,7}"$/);
      const got = await call<BotLabelsDict>("GET", "/bots/b/labels");
      expect([got.status, got.body]).toEqual([200, put.body]);
      expect(
        (
          await call("GET", "/bots/b/labels", undefined, {
            "if-none-match": put.headers.get("etag") as string,
          })
        ).status,
      ).toBe(304);
      const served2 = await call<RegistrationDict>("GET", "/bots/b?label=stable");
      expect([served2.status, served2.body.version, served2.body.config]).toEqual([
        200,
        2,
        { v: 2 },
      ]);
      expect(served2.headers.get("botknobs-version")).toBe("2");
      expect(served2.headers.get("botknobs-label")).toBe("stable");
      expect(served2.body.ext?.labels).toEqual({ stable: 2 });
      const again = await call("GET", "/bots/b?label=stable", undefined, {
        "if-none-match": served2.headers.get("etag") as string,
      });
      expect([again.status, again.headers.get("botknobs-version")]).toEqual([304, "2"]);
      expect((await call<RegistrationDict>("GET", "/bots/b?label=latest")).body.version).toBe(4);
      const missing = await call("GET", "/bots/b?label=nope");
      expect([missing.status, errorOf(missing).message]).toEqual([
        404,
        "Bot 'b' has no label 'nope'",
      ]);
      expect((await call("GET", "/bots/ghost?label=stable")).status).toBe(404);
      expect((await call("GET", "/bots/b?key=user-1")).status).toBe(400);
      expect((await call("GET", "/configs/b/labels")).body).toEqual(put.body);
    });

    it("bad input: a label on a version that does not exist or was pruned is a 409 naming it", async () => {
      const pruned = await make({ auth: AUTH, historyLimit: 2 });
      try {
        await threeVersions(pruned.app);
        const never = await call(
          "PUT",
          "/bots/b/labels/stable",
          { version: 9 },
          {},
          "rw",
          pruned.app,
        );
        expect([never.status, errorOf(never).code]).toEqual([409, "CONFLICT"]);
        expect(errorOf(never).message).toContain("version 9 of bot 'b'");
        expect(errorOf(never).message).toContain("does not exist");
        const gone = await call(
          "PUT",
          "/bots/b/labels/stable",
          { version: 1 },
          {},
          "rw",
          pruned.app,
        );
        expect([gone.status, errorOf(gone).code]).toEqual([409, "CONFLICT"]);
        expect(errorOf(gone).message).toContain("version 1 of bot 'b'");
        expect(errorOf(gone).message).toContain("no longer kept");
        const split = await call(
          "PUT",
          "/bots/b/labels/c",
          {
            split: [
              { version: 3, percent: 50 },
              { version: 1, percent: 50 },
            ],
          },
          {},
          "rw",
          pruned.app,
        );
        expect(split.status).toBe(409);
        expect(errorOf(split).message).toContain("version 1");
        expect((await call("GET", "/bots/b/labels", undefined, {}, "rw", pruned.app)).body).toEqual(
          {
            bot_id: "b",
            version: 3,
            status: "active",
            labels: { latest: { version: 3 } },
          },
        );
      } finally {
        await pruned.close();
      }
    });

    it("bad input: splits that do not add up to 100 or name a version twice are a 400; nothing written", async () => {
      await threeVersions();
      const short = await call("PUT", "/bots/b/labels/canary", {
        split: [
          { version: 2, percent: 90 },
          { version: 3, percent: 5 },
        ],
      });
      expect([short.status, errorOf(short).code]).toEqual([400, "VALIDATION"]);
      expect(errorOf(short).message).toContain("add up to 95, not 100");
      const twice = await call("PUT", "/bots/b/labels/canary", {
        split: [
          { version: 2, percent: 50 },
          { version: 2, percent: 50 },
        ],
      });
      expect(twice.status).toBe(400);
      expect(errorOf(twice).message).toContain("version 2 twice");
      for (const bad of [
        { version: 2, split: [{ version: 2, percent: 100 }] },
        {},
        { split: [{ version: 2, percent: 101 }] },
        { version: "2" },
      ])
        expect((await call("PUT", "/bots/b/labels/canary", bad)).status).toBe(400);
      expect((await call("PUT", "/bots/b/labels/latest", { version: 1 })).status).toBe(400);
      expect((await call<RegistrationDict>("GET", "/bots/b")).body.version).toBe(3);
    });

    it("bad input: a diff across a deleted bot is a 404; the diff of two kept versions is a JSON Patch", async () => {
      await threeVersions();
      const diff = await call<unknown[]>("GET", "/bots/b/versions/1/diff/3");
      expect(diff.status).toBe(200);
      expect(diff.headers.get("content-type")).toContain("application/json-patch+json");
      expect(diff.body).toEqual([{ op: "replace", path: "/config/v", value: 3 }]);
      const v1 = (await call<RegistrationDict>("GET", "/bots/b/versions/1")).body;
      expect(
        applyJsonPatch(
          { config: v1.config, status: v1.status, metadata: v1.metadata, labels: {} },
          diff.body as never,
        ),
      ).toEqual({ config: { v: 3 }, status: "active", metadata: {}, labels: {} });
      expect((await call("GET", "/bots/b/versions/1/diff/7")).status).toBe(404);
      expect((await call("GET", "/bots/b/versions/0/diff/1")).status).toBe(400);
      expect((await call("DELETE", "/bots/b")).status).toBe(204);
      const gone = await call("GET", "/bots/b/versions/1/diff/3");
      expect([gone.status, errorOf(gone).code, errorOf(gone).message]).toEqual([
        404,
        "NOT_FOUND",
        "Bot 'b' not found",
      ]);
    });

    it("protected labels: production moves with If-Match (stale: 412) or a token with the right; otherwise 428", async () => {
      await threeVersions();
      const plain = await call("PUT", "/bots/b/labels/production", { version: 2 });
      expect([plain.status, errorOf(plain).code]).toEqual([428, "PRECONDITION_REQUIRED"]);
      expect(errorOf(plain).message).toContain("If-Match");
      expect(
        (await call("PUT", "/bots/b/labels/production", { version: 2 }, { "if-match": "*" }))
          .status,
      ).toBe(428);
      expect(
        (await call("PUT", "/bots/b/labels/production", { version: 2 }, { "if-match": '"2"' }))
          .status,
      ).toBe(412);
      const etag = (await call("GET", "/bots/b")).headers.get("etag") as string;
      const moved = await call<BotLabelsDict>(
        "PUT",
        "/bots/b/labels/production",
        { version: 2 },
        { "if-match": etag },
      );
      expect([moved.status, moved.body.labels.production]).toEqual([200, { version: 2 }]);
      const ops = await call<BotLabelsDict>(
        "PUT",
        "/bots/b/labels/production",
        { version: 3 },
        {},
        "ops",
      );
      expect([ops.status, ops.body.labels.production]).toEqual([200, { version: 3 }]);
      expect((await call("DELETE", "/bots/b/labels/production")).status).toBe(428);
      expect(
        (await call("DELETE", "/bots/b/labels/production", undefined, { "if-match": '"5"' }))
          .status,
      ).toBe(204);
      expect((await call("PUT", "/bots/b/labels/stable", { version: 1 }, {}, "ro")).status).toBe(
        403,
      );
      // Other labels move without a precondition.
      expect((await call("PUT", "/bots/b/labels/stable", { version: 1 })).status).toBe(200);
      expect((await call("DELETE", "/bots/b/labels/stable")).status).toBe(204);
      expect((await call("DELETE", "/bots/b/labels/stable")).status).toBe(404);
    });

    it("splits: one key, one version (the header says which); the shares add up", async () => {
      await threeVersions();
      const set = await call<BotLabelsDict>("PUT", "/bots/b/labels/canary", {
        split: [
          { version: 2, percent: 70 },
          { version: 3, percent: 30 },
        ],
        reason: "try v3 on 30%",
      });
      expect(set.body.labels.canary).toEqual({
        version: 2,
        split: [
          { version: 2, percent: 70 },
          { version: 3, percent: 30 },
        ],
      });
      const counts: Record<string, number> = {};
      for (let i = 0; i < 60; i++) {
        const a = await call<RegistrationDict>("GET", `/bots/b?label=canary&key=user-${i}`);
        const b = await call<RegistrationDict>("GET", `/bots/b?label=canary&key=user-${i}`);
        const version = a.headers.get("botknobs-version") as string;
        expect([b.headers.get("botknobs-version"), String(a.body.version)]).toEqual([
          version,
          version,
        ]);
        counts[version] = (counts[version] ?? 0) + 1;
      }
      expect(Object.keys(counts).sort()).toEqual(["2", "3"]);
      expect((await call("GET", "/bots/b?label=canary")).headers.get("botknobs-version")).toBe("2");
    });

    it("audit: every write with the token's name (never the token), time, reason and what changed; paged, since", async () => {
      await call("PUT", "/bots/a", { config: { t: 1 }, reason: "create a" });
      await call("POST", "/bots", { bot_id: "b", config: { t: 1 } }, {}, "ops");
      await call("PUT", "/bots/a", { config: { t: 2 } });
      await call("PUT", "/bots/a/labels/stable", { version: 1, reason: "pin" });
      await call("POST", "/bots/b/deactivate", { reason: "retired" });
      await call("POST", "/bots/a/rollback", { version: 1, reason: "back" });
      const all = await call<{ items: AuditEntryDict[]; cursor?: string }>("GET", "/audit");
      expect(all.status).toBe(200);
      expect(all.body.cursor).toBeUndefined();
      // Writes within one millisecond are ordered by bot, then version: compare as a set.
      expect(
        all.body.items
          .map((e) => `${e.bot_id}@${e.version} ${e.action} ${e.actor} ${e.reason}`)
          .sort(),
      ).toEqual(
        [
          "a@1 created alice create a",
          "b@1 created ops-bot null",
          "a@2 updated alice null",
          "a@3 labels alice pin",
          "b@2 deactivated alice retired",
          "a@4 updated alice back",
        ].sort(),
      );
      expect(JSON.stringify(all.body)).not.toContain('"rw"');
      const labels = all.body.items.find((e) => e.action === "labels");
      expect(labels?.changed).toEqual(["/labels/stable"]);
      const times = all.body.items.map((e) => Date.parse(e.at));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      const first = await call<{ items: AuditEntryDict[]; cursor?: string }>(
        "GET",
        "/audit?limit=4",
      );
      expect(first.body.items).toHaveLength(4);
      const rest = await call<{ items: AuditEntryDict[]; cursor?: string }>(
        "GET",
        `/audit?limit=4&cursor=${encodeURIComponent(first.body.cursor as string)}`,
      );
      expect([...first.body.items, ...rest.body.items]).toEqual(all.body.items);
      expect(rest.body.cursor).toBeUndefined();
      const since = (all.body.items[3] as AuditEntryDict).at;
      const later = await call<{ items: AuditEntryDict[] }>(
        "GET",
        `/audit?since=${encodeURIComponent(since)}`,
      );
      expect(later.body.items.every((e) => e.at >= since)).toBe(true);
      expect(
        (await call<{ items: AuditEntryDict[] }>("GET", "/audit?bot_id=b")).body.items.map(
          (e) => e.version,
        ),
      ).toEqual([1, 2]);
      expect((await call("GET", "/audit?since=yesterday")).status).toBe(400);
      expect((await call("GET", "/audit?cursor=nope")).status).toBe(400);
      expect((await call("GET", "/audit?limit=0")).status).toBe(400);
      expect((await call("GET", "/audit", undefined, {}, "nobody")).status).toBe(401);
      expect((await call("GET", "/audit", undefined, {}, "ro")).status).toBe(200);
    });

    it("wrong methods on the new paths are 405 with Allow; OpenAPI describes them", async () => {
      await threeVersions();
      const post = await call("POST", "/bots/b/labels");
      expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
      const get = await call("POST", "/bots/b/labels/stable");
      expect([get.status, get.headers.get("allow")]).toEqual([405, "PUT, DELETE"]);
      expect((await call("PUT", "/bots/b/versions/1/diff/2")).headers.get("allow")).toBe(
        "GET, HEAD",
      );
      const doc = (
        await call<{
          paths: Record<string, unknown>;
          components: { schemas: Record<string, unknown> };
        }>("GET", "/openapi.json")
      ).body;
      for (const path of [
        "/bots/{bot_id}/labels",
        "/bots/{bot_id}/labels/{name}",
        "/bots/{bot_id}/versions/{from}/diff/{to}",
        "/configs/{bot_id}/labels/{name}",
        "/audit",
      ])
        expect(Object.keys(doc.paths)).toContain(path);
      for (const schema of ["BotLabels", "PutLabel", "JsonPatch", "AuditList", "ReasonOnly"])
        expect(Object.keys(doc.components.schemas)).toContain(schema);
    });
  });
}
