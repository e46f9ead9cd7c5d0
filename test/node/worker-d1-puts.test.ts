// 1,000 concurrent PUTs to one bot through the Worker (worker/index.ts under Miniflare, each
// request its own request context as on Cloudflare, the registry in D1 with migrations/ applied):
// every PUT succeeds with its own version, versions 1..1000 each exactly once, and the history
// holds all of them, each with the config its PUT sent — nothing lost, doubled or hung.
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorkers } from "./cf-bundle.ts";
import { COMMON, DEV_VARS, durableObjects, migrate, STORAGE } from "./cf-worker-options.ts";

const N = 1000;
let mf: Miniflare;

const call = async (path: string, init?: RequestInit): Promise<Response> =>
  (await mf.dispatchFetch(`http://worker.test${path}`, init as never)) as unknown as Response;

beforeAll(async () => {
  const { worker } = await bundleWorkers({ worker: "worker/index.ts" });
  mf = new Miniflare({
    ...COMMON,
    scriptPath: worker as string,
    modulesRoot: dirname(worker as string),
    durableObjects: durableObjects(),
    ...STORAGE,
    ...DEV_VARS,
  });
  await mf.ready;
  await migrate(mf);
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

describe("the Worker on D1 under 1,000 concurrent PUTs to one bot", () => {
  it("gives each PUT its own version, once, and keeps the whole history", async () => {
    const puts = await Promise.all(
      Array.from({ length: N }, async (_, n) => {
        const res = await call("/bots/hot-bot", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ config: { n } }),
        });
        const text = await res.text();
        if (res.status !== 200) return { status: res.status, version: -1, n: -1, text };
        const body = JSON.parse(text) as { version: number; config: { n: number } };
        return { status: res.status, version: body.version, n: body.config.n, text: "" };
      }),
    );
    expect(puts.filter((p) => p.status !== 200).slice(0, 3)).toEqual([]);
    // Each PUT answers with the version it wrote, carrying its own config.
    expect(puts.every((p, n) => p.n === n)).toBe(true);
    const versions = puts.map((p) => p.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: N }, (_, i) => i + 1));

    const history: { version: number; config: { n: number } }[] = [];
    let cursor: string | undefined;
    do {
      const res = await call(
        `/bots/hot-bot/versions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: typeof history; cursor?: string };
      history.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(history.map((h) => h.version)).toEqual(versions.slice().reverse());
    // Each version holds the config of the PUT that was answered with it.
    const byVersion = new Map(puts.map((p) => [p.version, p.n]));
    expect(history.filter((h) => byVersion.get(h.version) !== h.config.n)).toEqual([]);
    const current = (await (await call("/bots/hot-bot")).json()) as { version: number };
    expect(current.version).toBe(N);
  }, 300_000);
});
