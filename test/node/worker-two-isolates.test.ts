// Two isolates of the real Worker (worker/index.ts twice under Miniflare, each its own isolate)
// over one D1 database and one R2 bucket, as two Cloudflare isolates of one deployment are: each
// serves the bots the other wrote (with their history), and answers a search for a knowledge base
// the other uploaded and ingested, from the search index persisted in R2.
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../src/testing/index.ts";
import { bundleWorkers } from "./cf-bundle.ts";
import { COMMON, DEV_VARS, durableObjects, migrate, STORAGE } from "./cf-worker-options.ts";

let mf: Miniflare;
type Call = (path: string, init?: RequestInit) => Promise<Response>;
let a: Call;
let b: Call;

beforeAll(async () => {
  const { worker } = await bundleWorkers({ worker: "worker/index.ts" });
  const options = {
    ...COMMON,
    scriptPath: worker as string,
    modulesRoot: dirname(worker as string),
  };
  mf = new Miniflare({
    workers: [
      {
        ...options,
        name: "a",
        durableObjects: durableObjects(),
        ...STORAGE,
        ...DEV_VARS,
      },
      {
        ...options,
        name: "b",
        durableObjects: durableObjects("a"),
        ...STORAGE,
        ...DEV_VARS,
      },
    ],
  });
  await mf.ready;
  await migrate(mf, "a");
  const call = (name: string): Promise<Call> =>
    mf
      .getWorker(name)
      .then(
        (w) => (path, init) =>
          w.fetch(`http://${name}.test${path}`, init as never) as unknown as Promise<Response>,
      );
  a = await call("a");
  b = await call("b");
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

const json = async <T>(res: Promise<Response>): Promise<{ status: number; body: T }> => {
  const r = await res;
  return { status: r.status, body: (await r.json()) as T };
};
const putBot = (call: Call, id: string, model: string) =>
  json<{ version: number }>(
    call(`/bots/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: { llm: { model } } }),
    }),
  );

describe("two isolates of the Worker over one D1 database and one R2 bucket", () => {
  it("each serves the bots the other wrote, with their history", async () => {
    expect((await putBot(a, "shared-bot", "v1")).body.version).toBe(1);
    const read = await json<{ config: { llm: { model: string } }; version: number }>(
      b("/bots/shared-bot"),
    );
    expect(read.status).toBe(200);
    expect(read.body.config.llm.model).toBe("v1");
    expect((await putBot(b, "shared-bot", "v2")).body.version).toBe(2);
    const versions = await json<{ items: { version: number }[] }>(a("/bots/shared-bot/versions"));
    expect(versions.body.items.map((v) => v.version)).toEqual([2, 1]);
    const list = await json<{ items: { bot_id: string }[] }>(b("/bots"));
    expect(list.body.items.map((x) => x.bot_id)).toContain("shared-bot");
  });

  it("answers a search for a knowledge base the other isolate uploaded and ingested", async () => {
    const created = await a("/kb", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ domain_id: "shared-kb" }),
    });
    expect(created.status).toBe(201);
    await created.arrayBuffer();
    const put = await a("/kb/shared-kb/files/zebra.md", {
      method: "PUT",
      body: "# Zebras\n\nZebras have black and white stripes.",
    });
    expect(put.status).toBe(201);
    await put.arrayBuffer();
    const started = await json<{ job_id: string }>(a("/kb/shared-kb/ingest", { method: "POST" }));
    expect(started.status).toBe(202);
    await eventually(async () => {
      const job = await json<{ status: string }>(a(`/kb/shared-kb/ingest/${started.body.job_id}`));
      return job.body.status === "completed";
    }, 20_000);
    // b never ingested: its answer comes from the index a persisted in R2.
    const search = await json<{ results: { source: string }[] }>(
      b("/kb/shared-kb/search?q=stripes"),
    );
    expect(search.status).toBe(200);
    expect(search.body.results.map((r) => r.source)).toEqual(["zebra.md"]);
  });
});
