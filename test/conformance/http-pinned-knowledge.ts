/**
 * A bot's knowledge pinned with its config, through the HTTP API itself: `GET /kb/{id}/revisions`,
 * the revision an ingestion job made, `GET /kb/{id}/search?revision=`, and
 * `GET /bots/{id}/search` answering as of the served version's `knowledge_pin` — latest, by
 * label, after a rollback — with the bad inputs (a revision that does not exist: 409; a pruned
 * one: 410; a malformed pin: 400) each a case. Runs on Node
 * (test/node/http-pinned-knowledge.test.ts) and inside workerd over D1 and R2
 * (test/workerd/http-pinned-knowledge.test.ts), through `app.request`.
 */
import type { Hono } from "hono";
import { eventually, type TestHarness } from "../../src/testing/index.ts";
import { appCall } from "./app-call.ts";

/** What a case gets: an open app keeping `keepRevisions` revisions of each index. */
export type MakePinnedApp = (options: {
  keepRevisions: number;
}) => Promise<{ app: Hono; close(): Promise<void> }>;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: bodies of several routes, read loosely.
  body: any;
}

export function httpPinnedKnowledgeCases(
  h: TestHarness,
  runtime: string,
  make: MakePinnedApp,
): void {
  const { describe, it, expect, beforeEach, afterEach } = h;

  describe(`knowledge pinned with a bot's config over HTTP (${runtime})`, () => {
    let served: { app: Hono; close(): Promise<void> };
    // Each case its own knowledge base (a bucket may be shared between runs).
    let kb = "";
    let n = 0;
    beforeEach(async () => {
      served = await make({ keepRevisions: 2 });
      kb = `pins-${Date.now().toString(36)}-${n++}`;
      expect((await call("POST", "/kb", { domain_id: kb })).status).toBe(201);
    });
    afterEach(async () => {
      await call("DELETE", `/kb/${kb}`);
      await served.close();
    });

    async function call(method: string, path: string, body?: unknown): Promise<Answer> {
      const answer = await appCall(served.app, method, path, { body });
      return { ...answer, body: answer.body ?? null };
    }

    /** Replaces the knowledge base's one file, ingests it, and returns the revision the job made. */
    async function publish(text: string): Promise<string> {
      const put = await call("PUT", `/kb/${kb}/files/faq.md`, `# FAQ\n\n${text}`);
      expect([200, 201]).toContain(put.status);
      const started = await call("POST", `/kb/${kb}/ingest`);
      expect(started.status).toBe(202);
      let job: Answer | undefined;
      await eventually(async () => {
        job = await call("GET", `/kb/${kb}/ingest/${started.body.job_id}`);
        return job.body.status !== "running";
      }, 20_000);
      expect(job?.body.status).toBe("completed");
      const revision = job?.body.result.revision;
      expect(typeof revision).toBe("string");
      return revision as string;
    }
    const pinned = (revision: string, extra: Record<string, unknown> = {}) => ({
      config: { ...extra, knowledge_pin: { kb, revision } },
    });
    const texts = (a: Answer): string[] => a.body.results.map((r: { text: string }) => r.text);

    it("revisions: the job names the revision it made, GET …/revisions lists those kept, ?revision= searches as of one", async () => {
      const r1 = await publish("Reset your password from the sign-in page.");
      const r2 = await publish("Passwords are reset by the help desk only.");
      const listed = await call("GET", `/kb/${kb}/revisions`);
      expect(listed.status).toBe(200);
      expect(
        listed.body.items.map((i: { revision: string; current: boolean }) => [
          i.revision,
          i.current,
        ]),
      ).toEqual([
        [r2, true],
        [r1, false],
      ]);
      expect(typeof listed.body.items[0].committed_at).toBe("string");
      const past = await call("GET", `/kb/${kb}/search?q=password&revision=${r1}`);
      expect(past.status).toBe(200);
      expect(texts(past)).toEqual(["Reset your password from the sign-in page."]);
      expect(texts(await call("GET", `/kb/${kb}/search?q=password`))).toEqual([
        "Passwords are reset by the help desk only.",
      ]);
      expect((await call("GET", "/kb/no-such-kb/revisions")).status).toBe(404);
    });

    it("GET /bots/{id}/search answers as of the served version's pin: latest, by label (headers name the version), after a rollback", async () => {
      const r1 = await publish("Reset your password from the sign-in page.");
      expect((await call("PUT", "/bots/helper", pinned(r1, { model: "a" }))).status).toBe(200);
      expect((await call("PUT", "/bots/helper/labels/stable", { version: 1 })).status).toBe(200);
      const r2 = await publish("Passwords are reset by the help desk only.");
      expect((await call("PUT", "/bots/helper", pinned(r2, { model: "b" }))).status).toBe(200);

      const latest = await call("GET", "/bots/helper/search?q=password");
      expect(latest.status).toBe(200);
      expect(latest.headers.get("botknobs-version")).toBe("3");
      expect(latest.body.knowledge_pin).toEqual({ kb, revision: r2 });
      expect(latest.body.version).toBe(3);
      expect(texts(latest)).toEqual(["Passwords are reset by the help desk only."]);

      const stable = await call("GET", "/bots/helper/search?q=password&label=stable&k=1");
      expect(stable.status).toBe(200);
      expect(stable.headers.get("botknobs-version")).toBe("1");
      expect(stable.headers.get("botknobs-label")).toBe("stable");
      expect(stable.body.k).toBe(1);
      expect(texts(stable)).toEqual(["Reset your password from the sign-in page."]);

      expect((await call("POST", "/bots/helper/rollback", { version: 1 })).status).toBe(200);
      const rolledBack = await call("GET", "/bots/helper/search?q=password");
      expect(rolledBack.body.knowledge_pin).toEqual({ kb, revision: r1 });
      expect(texts(rolledBack)).toEqual(["Reset your password from the sign-in page."]);
      // The diff shows the pin moving.
      const diff = await call("GET", "/bots/helper/versions/1/diff/3");
      expect(
        diff.body.some(
          (op: { op: string; path: string; value: unknown }) =>
            op.op === "replace" && op.path === "/config/knowledge_pin/revision" && op.value === r2,
        ),
      ).toBe(true);
    });

    it("bad input: a pinned revision or knowledge base that does not exist is 409 naming it (nothing written); a malformed pin 400", async () => {
      const r1 = await publish("Walruses bask on the ice.");
      const unknown = await call("PUT", "/bots/helper", pinned("no-such-revision"));
      expect(unknown.status).toBe(409);
      expect(unknown.body.error.message).toContain("'no-such-revision'");
      expect(unknown.body.error.message).toContain(kb);
      const noKb = await call("POST", "/bots", {
        bot_id: "helper",
        config: { knowledge_pin: { kb: "no-such-kb", revision: r1 } },
      });
      expect(noKb.status).toBe(409);
      expect(noKb.body.error.message).toContain("'no-such-kb'");
      expect((await call("GET", "/bots/helper")).status).toBe(404);
      const malformed = await call("PUT", "/bots/helper", { config: { knowledge_pin: { kb } } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toContain("config.knowledge_pin.revision");
      expect((await call("GET", `/kb/${kb}/search?q=walruses&revision=never`)).status).toBe(400);
      // A bot that pins nothing has no knowledge to search through it.
      expect((await call("PUT", "/bots/plain", { config: { model: "a" } })).status).toBe(200);
      const none = await call("GET", "/bots/plain/search?q=walruses");
      expect(none.status).toBe(409);
      expect(none.body.error.message).toContain("knowledge_pin");
      expect((await call("GET", "/bots/plain/search?q=x&key=u1")).status).toBe(400);
      expect((await call("GET", "/bots/ghost/search?q=x")).status).toBe(404);
      expect((await call("DELETE", "/bots/plain/search")).status).toBe(405);
    });

    it("a revision the index history no longer keeps: 410 naming it, through the bot and on the knowledge base", async () => {
      const r1 = await publish("Walruses bask on the ice.");
      expect((await call("PUT", "/bots/helper", pinned(r1))).status).toBe(200);
      expect(texts(await call("GET", "/bots/helper/search?q=walruses"))).toEqual([
        "Walruses bask on the ice.",
      ]);
      await publish("Penguins huddle in the snow.");
      await publish("Gulls steal chips."); // two kept: r1 is cut
      const gone = await call("GET", "/bots/helper/search?q=walruses");
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe("GONE");
      expect(gone.body.error.message).toContain(`'${r1}'`);
      expect((await call("GET", `/kb/${kb}/search?q=walruses&revision=${r1}`)).status).toBe(410);
      const kept = await call("GET", `/kb/${kb}/revisions`);
      expect(kept.body.items.map((i: { revision: string }) => i.revision)).not.toContain(r1);
      // Pinning it again is refused, naming it.
      const again = await call("PUT", "/bots/other", pinned(r1));
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain("no longer keeps");
    });

    it("OpenAPI: the bot search, the revisions and ?revision= are documented, 410 included", async () => {
      const doc = (await call("GET", "/openapi.json")).body;
      for (const path of [
        "/bots/{bot_id}/search",
        "/configs/{bot_id}/search",
        "/kb/{domain_id}/revisions",
      ])
        expect(Object.keys(doc.paths)).toContain(path);
      const search = doc.paths["/kb/{domain_id}/search"].get;
      expect(search.parameters.map((p: { name: string }) => p.name)).toContain("revision");
      expect(search.responses["410"]).toEqual({ $ref: "#/components/responses/E410" });
      expect(doc.components.responses.E410).toBeDefined();
      const bot = doc.paths["/bots/{bot_id}/search"].get;
      const names = bot.parameters.map((p: { name: string }) => p.name);
      for (const name of ["q", "k", "label", "key"]) expect(names).toContain(name);
      for (const schema of ["BotSearchResponse", "RevisionList"])
        expect(Object.keys(doc.components.schemas)).toContain(schema);
    });
  });
}
