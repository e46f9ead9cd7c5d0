// `npm start` as a new user runs it: the API on loopback with seeded data, open without tokens,
// closed with BOTKNOBS_TOKENS; what it keeps under its data folder survives a restart; it keeps
// the history limit it is given; and it answers before sweeping a crash's leftovers.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { npmStart, type Started } from "../fixtures/npm-start.ts";

const data = mkdtempSync(join(tmpdir(), "botknobs-start-"));
let running: Started | undefined;

afterEach(async () => {
  await stop();
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

async function stop(): Promise<void> {
  await running?.stop();
  running = undefined;
}

async function start(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ url: string; firstLine: string; out: () => string }> {
  running = await npmStart({ BOTKNOBS_DATA: join(data, "default"), ...env }, args);
  return running;
}

describe("npm start", () => {
  it("remembers: a bot, its history, a file and its search hit survive a restart, without re-ingesting", async () => {
    const env = { BOTKNOBS_DATA: join(data, "restart") };
    let { url, out } = await start(env);
    expect(out()).toContain("seeded:");
    const json = { "content-type": "application/json" };
    for (const model of ["model-a", "model-b"])
      await fetch(`${url}/bots/kept-bot`, {
        method: "PUT",
        headers: json,
        body: JSON.stringify({ config: { llm: { model } } }),
      });
    expect(
      (
        await fetch(`${url}/kb/support/files/otters.md`, {
          method: "PUT",
          body: "# Otters\n\nSea otters hold hands while they sleep.",
        })
      ).status,
    ).toBe(201);
    const job = (await (await fetch(`${url}/kb/support/ingest`, { method: "POST" })).json()) as {
      job_id: string;
    };
    for (let i = 0; i < 100; i++) {
      const s = (await (await fetch(`${url}/kb/support/ingest/${job.job_id}`)).json()) as {
        status: string;
      };
      if (s.status !== "running" && s.status !== "queued") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop();

    ({ url, out } = await start(env));
    expect(out()).toContain("found: 2 active bot(s), 1 knowledge base(s)");
    const bot = (await (await fetch(`${url}/bots/kept-bot`)).json()) as {
      version: number;
      config: { llm: { model: string } };
    };
    expect([bot.version, bot.config.llm.model]).toEqual([2, "model-b"]);
    const versions = (await (await fetch(`${url}/bots/kept-bot/versions`)).json()) as {
      items: { version: number }[];
    };
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    const info = (await (await fetch(`${url}/kb/support`)).json()) as {
      ingestion_status: string;
      file_count: number;
    };
    expect([info.ingestion_status, info.file_count]).toEqual(["ready", 3]);
    // Answered from the persisted index: nothing was ingested since the restart.
    const search = (await (await fetch(`${url}/kb/support/search?q=otters+sleep`)).json()) as {
      results: { source: string }[];
    };
    expect(search.results[0]?.source).toBe("otters.md");
    expect(
      ((await (await fetch(`${url}/kb/support/ingest`)).json()) as { items: unknown[] }).items,
    ).toEqual([]);
  }, 120_000);

  it("--memory keeps nothing: a restart seeds again", async () => {
    const env = { BOTKNOBS_DATA: join(data, "never-written") };
    const { url, out } = await start(env, ["--memory"]);
    expect(out()).toContain("in memory (--memory)");
    await fetch(`${url}/bots/tmp-bot`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: {} }),
    });
    await stop();
    const again = await start(env, ["--memory"]);
    expect((await fetch(`${again.url}/bots/tmp-bot`)).status).toBe(404);
    expect(again.out()).toContain("seeded:");
  }, 120_000);

  it("serves the seeded demo without auth on loopback, and says so first", async () => {
    const { url, firstLine } = await start({});
    expect(firstLine).toContain("no auth");
    const bot = (await (await fetch(`${url}/bots/support-bot`)).json()) as {
      config: { llm: { model: string } };
    };
    expect(bot.config.llm.model).toBe("claude-3-sonnet");
    const search = (await (await fetch(`${url}/kb/support/search?q=reset+password`)).json()) as {
      results: { source: string }[];
    };
    expect(search.results[0]?.source).toBe("faq.md");
  }, 90_000);

  it("requires a token when BOTKNOBS_TOKENS is set", async () => {
    const { url, firstLine } = await start({ BOTKNOBS_TOKENS: "secret-token" });
    expect(firstLine).toContain("bearer tokens required");
    expect((await fetch(`${url}/bots/support-bot`)).status).toBe(401);
    expect(
      (
        await fetch(`${url}/bots/support-bot`, {
          headers: { authorization: "Bearer secret-token" },
        })
      ).status,
    ).toBe(200);
  }, 90_000);

  it("keeps the history limit of --history-limit or BOTKNOBS_HISTORY_LIMIT (the flag first; 0 or none: every version), 100 by default", async () => {
    const env = { BOTKNOBS_DATA: join(data, "history") };
    const putModels = async (url: string, models: string[]): Promise<number[]> => {
      for (const model of models)
        await fetch(`${url}/bots/kept-bot`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ config: { llm: { model } } }),
        });
      const page = (await (await fetch(`${url}/bots/kept-bot/versions`)).json()) as {
        items: { version: number }[];
      };
      return page.items.map((v) => v.version);
    };
    let { url, out } = await start({ ...env, BOTKNOBS_HISTORY_LIMIT: "none" }, [
      "--history-limit",
      "2",
    ]);
    expect(await putModels(url, ["a", "b", "c"])).toEqual([3, 2]);
    expect(out()).toContain("history: the last 2 version(s) of each bot");
    await stop();

    ({ url, out } = await start({ ...env, BOTKNOBS_HISTORY_LIMIT: "none" }));
    expect(await putModels(url, ["d", "e"])).toEqual([5, 4, 3, 2]);
    expect(out()).toContain("history: every version of each bot");
    await stop();

    ({ out } = await start(env, ["--history-limit=0"]));
    expect(out()).toContain("history: every version of each bot");
    await stop();
    ({ out } = await start(env));
    expect(out()).toContain("history: the last 100 version(s) of each bot");
    await stop();

    const refused = await start({ ...env, BOTKNOBS_HISTORY_LIMIT: "lots" }).catch((e: Error) => e);
    expect(String(refused)).toContain('invalid history limit "lots"');
  }, 120_000);

  it("answers before it sweeps: a crash's leftovers go in the background, with a log line after the start lines", async () => {
    const env = { BOTKNOBS_DATA: join(data, "sweep") };
    await start(env);
    await stop();
    // Temporary files of uploads a killed process left, two hours old.
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const dir of ["knowledge/support", "knowledge/support/deep"]) {
      mkdirSync(join(data, "sweep", dir), { recursive: true });
      const file = join(data, "sweep", dir, `.botknobs-tmp-${crypto.randomUUID()}`);
      writeFileSync(file, "half an upload");
      utimesSync(file, old, old);
    }
    const { url, out } = await start(env);
    expect((await fetch(`${url}/bots/support-bot`)).status).toBe(200);
    for (let i = 0; i < 600 && !/\nswept /.test(out()); i++)
      await new Promise((r) => setTimeout(r, 50));
    const text = out();
    expect(text).toMatch(/\nswept .+ in [\d.]+ s: cleaned up 2 leftovers of an earlier crash\n/);
    expect(text.indexOf("\nswept ")).toBeGreaterThan(text.indexOf("\ntry: "));
    expect(existsSync(join(data, "sweep", "knowledge/support/deep"))).toBe(false);
  }, 120_000);
});
