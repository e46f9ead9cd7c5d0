// `npm start` as a new user runs it: the API on loopback with seeded data, open without tokens,
// closed with BOTKNOBS_TOKENS.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill("SIGTERM");
  child = undefined;
});

async function start(env: Record<string, string>): Promise<{ url: string; firstLine: string }> {
  child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", ...env },
  });
  let out = "";
  return new Promise((done, fail) => {
    child?.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/botknobs API on (http:\/\/[^\s]+) — ([^\n]+)\n/);
      if (m) done({ url: m[1] as string, firstLine: (out.split("\n")[0] ?? "") as string });
    });
    child?.on("exit", (code) => fail(new Error(`npm start exited with ${code}: ${out}`)));
    setTimeout(() => fail(new Error(`no start line within 60 s: ${out}`)), 60_000);
  });
}

describe("npm start", () => {
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
