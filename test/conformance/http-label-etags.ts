/**
 * The ETags of label-dependent responses through the HTTP API: `GET /bots/{id}?label=…` (with
 * `&key=` for a split) and `GET /bots/{id}/labels` change whenever what they answer changes — a
 * label moved, a split changed, the bot re-made — so an `If-None-Match` never gets a 304 with
 * stale labels or a stale version. A bot's content ETag (its `etag`) stays what it is: equal
 * content, equal tag. Runs on Node (test/node/http-labels.test.ts) and inside workerd over D1
 * (test/workerd/http-labels.test.ts), through `app.request`.
 */
import type { Hono } from "hono";
import type { BotLabelsDict, RegistrationDict } from "../../src/index.ts";
import type { TestHarness } from "../../src/testing/index.ts";
import { appCall } from "./app-call.ts";
import type { MakeApp } from "./http-labels.ts";

const AUTH = {
  tokens: [{ name: "alice", token: "rw", protectedLabels: true }],
  readOnlyTokens: [],
};

interface Answer<T> {
  status: number;
  etag: string;
  served: string | null;
  body: T;
}

export function httpLabelEtagCases(h: TestHarness, runtime: string, make: MakeApp): void {
  const { describe, it, expect, beforeEach, afterEach } = h;

  describe(`ETags of label-dependent responses over HTTP (${runtime})`, () => {
    let served: { app: Hono; close(): Promise<void> };
    beforeEach(async () => {
      served = await make({ auth: AUTH });
    });
    afterEach(() => served.close());

    async function call<T = RegistrationDict>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer<T>> {
      const answer = await appCall<T>(served.app, method, path, { body, headers, token: "rw" });
      return {
        status: answer.status,
        etag: answer.headers.get("etag") ?? "",
        served: answer.headers.get("botknobs-version"),
        body: answer.body,
      };
    }
    const put = async (path: string, body: unknown): Promise<void> => {
      const answer = await call("PUT", path, body);
      expect([path, answer.status]).toEqual([path, 200]);
    };
    /** A conditional GET with the ETag of `before`: what a cache revalidating it gets. */
    const revalidate = <T = RegistrationDict>(
      path: string,
      before: Answer<unknown>,
    ): Promise<Answer<T>> => call<T>("GET", path, undefined, { "if-none-match": before.etag });

    it("GET ?label= after the label moves to a version of equal content: 200 with the new version, not a 304", async () => {
      await put("/bots/b", { config: { v: 1 } });
      await put("/bots/b", { config: { v: 2 } });
      await put("/bots/b", { config: { v: 1 } }); // v3: v1's content, v1's content ETag
      await put("/bots/b/labels/stable", { version: 1 }); // v4
      const before = await call("GET", "/bots/b?label=stable");
      expect([before.status, before.body.version]).toEqual([200, 1]);
      expect((await revalidate("/bots/b?label=stable", before)).status).toBe(304);

      await put("/bots/b/labels/stable", { version: 3 }); // v5
      const after = await revalidate("/bots/b?label=stable", before);
      expect([after.status, after.served, after.body?.version]).toEqual([200, "3", 3]);
      expect(after.body.etag).toBe(before.body.etag); // the content's tag is unchanged
      expect(after.etag).not.toBe(before.etag);
      expect((await revalidate("/bots/b?label=stable", after)).status).toBe(304);
    });

    it("GET ?label= after another label moves: 200 with the bot's labels as they are now", async () => {
      await put("/bots/b", { config: { v: 1 } });
      await put("/bots/b/labels/stable", { version: 1 });
      const before = await call("GET", "/bots/b?label=stable");
      await put("/bots/b/labels/production", { version: 1 });
      const after = await revalidate("/bots/b?label=stable", before);
      expect([after.status, after.body?.ext?.labels]).toEqual([200, { production: 1, stable: 1 }]);
    });

    it("GET ?label=latest after a label move (a new version of equal content): 200 with the newest version", async () => {
      await put("/bots/b", { config: { v: 1 } });
      const before = await call("GET", "/bots/b?label=latest");
      expect(before.body.version).toBe(1);
      await put("/bots/b/labels/stable", { version: 1 });
      const after = await revalidate("/bots/b?label=latest", before);
      expect([after.status, after.body?.version]).toEqual([200, 2]);
    });

    it("GET ?label=&key= after the split changes but still serves the key the same version: 200 with the new split", async () => {
      await put("/bots/b", { config: { v: 1 } });
      await put("/bots/b", { config: { v: 2 } });
      const split = (first: number) => ({
        split: [
          { version: 1, percent: first },
          { version: 2, percent: 100 - first },
        ],
      });
      await put("/bots/b/labels/canary", split(50));
      // A key the 50/50 split serves version 1: it keeps version 1 at 60/40 (ranges in order).
      let key = "";
      let before: Answer<RegistrationDict> | undefined;
      for (let i = 0; !before; i++) {
        const got = await call("GET", `/bots/b?label=canary&key=user-${i}`);
        if (got.served === "1") [key, before] = [`user-${i}`, got];
      }
      await put("/bots/b/labels/canary", split(60));
      const after = await revalidate(`/bots/b?label=canary&key=${key}`, before);
      expect([after.status, after.served]).toEqual([200, "1"]);
      expect(after.body.ext?.splits?.canary?.[0]).toEqual({ version: 1, percent: 60 });
      expect((await revalidate(`/bots/b?label=canary&key=${key}`, after)).status).toBe(304);
    });

    it("GET /labels after the bot is deleted and made again with other labels: 200, not a 304; the ETag works as If-Match", async () => {
      await put("/bots/b", { config: { v: 1 } });
      await put("/bots/b/labels/stable", { version: 1 });
      const before = await call<BotLabelsDict>("GET", "/bots/b/labels");
      expect(before.body.version).toBe(2);
      expect((await call("DELETE", "/bots/b")).status).toBe(204);
      await put("/bots/b", { config: { v: 1 } });
      await put("/bots/b/labels/other", { version: 1 }); // version 2 again, other labels
      const after = await revalidate<BotLabelsDict>("/bots/b/labels", before);
      expect([after.status, Object.keys(after.body?.labels ?? {})]).toEqual([
        200,
        ["latest", "other"],
      ]);
      expect((await revalidate("/bots/b/labels", after)).status).toBe(304);
      // The labels' ETag names the bot's current state: a write conditional on it goes through,
      // one conditional on the tag of before the delete is refused.
      const move = (ifMatch: string) =>
        call("PUT", "/bots/b/labels/production", { version: 1 }, { "if-match": ifMatch });
      expect((await move(before.etag)).status).toBe(412);
      expect((await move(after.etag)).status).toBe(200);
    });
  });
}
