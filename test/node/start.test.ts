// `npm start` as a new user runs it: the API on loopback with seeded data, open without tokens,
// closed with BOTKNOBS_TOKENS; and what it keeps under its data folder survives a restart.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const data = mkdtempSync(join(tmpdir(), "botknobs-start-"));
let child: ChildProcess | undefined;

afterEach(async () => {
  await stop();
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

async function stop(): Promise<void> {
  const running = child;
  child = undefined;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((r) => running.on("exit", r));
  running.kill("SIGTERM");
  await exited;
}

async function start(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ url: string; firstLine: string; out: () => string }> {
  child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: root,
    env: { ...process.env, PORT: "0", BOTKNOBS_DATA: join(data, "default"), ...env },
  });
  let out = "";
  return new Promise((done, fail) => {
    child?.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/botknobs API on (http:\/\/[^\s]+) — ([^\n]+)\n/);
      if (m && /\ntry: /.test(out))
        done({
          url: m[1] as string,
          firstLine: (out.split("\n")[0] ?? "") as string,
          out: () => out,
        });
    });
    child?.on("exit", (code) => fail(new Error(`npm start exited with ${code}: ${out}`)));
    setTimeout(() => fail(new Error(`no start line within 60 s: ${out}`)), 60_000);
  });
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
});
