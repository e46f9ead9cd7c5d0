// `botknobs bots …` spawned as a process, on a data folder and on a running server: put (YAML,
// JSON, stdin), ls, get, history, diff, rollback; the exit codes of bad input and of what does
// not exist; tokens.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../fixtures/cli.ts";
import { npmStart } from "../fixtures/npm-start.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-bots-"));
const data = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const bots = (...args: string[]) => cli(["bots", ...args, "--data", data]);
const json = <T>(text: string): T => JSON.parse(text) as T;

describe("botknobs bots, on a data folder", () => {
  it("put from YAML, JSON on stdin and a JSON file; ls, get, history, diff and rollback read them back", async () => {
    const yaml = file(
      "v1.yaml",
      "llm:\n  provider: anthropic\n  model: claude-3-sonnet\nsystem_prompt: Be brief.\n",
    );
    let run = await bots("put", "desk-bot", yaml);
    expect([run.code, run.stdout.trim()]).toEqual([0, "desk-bot: version 1 (active)"]);
    run = await cli(["bots", "put", "desk-bot", "-", "--data", data], {
      input: JSON.stringify({ llm: { provider: "anthropic", model: "claude-3-opus" } }),
    });
    expect([run.code, run.stdout.trim()]).toEqual([0, "desk-bot: version 2 (active)"]);
    const v3 = file(
      "v3.json",
      JSON.stringify({ llm: { provider: "anthropic", model: "claude-3-opus" }, tools: ["search"] }),
    );
    run = await bots("put", "desk-bot", v3, "--status", "inactive", "--json");
    expect(json<{ version: number; status: string }>(run.stdout)).toMatchObject({
      version: 3,
      status: "inactive",
    });

    const [ls, lsJson, get, getV1, history, limited, diff, diffJson] = await Promise.all([
      bots("ls"),
      bots("ls", "--json"),
      bots("get", "desk-bot"),
      bots("get", "desk-bot", "--version", "1", "--json"),
      bots("history", "desk-bot"),
      bots("history", "desk-bot", "--limit", "2", "--json"),
      bots("diff", "desk-bot", "1"),
      bots("diff", "desk-bot", "1", "2", "--json"),
    ]);
    expect(ls.stdout.split("\n")[0]).toMatch(/^BOT +VERSION +STATUS +MODEL +UPDATED$/);
    expect(ls.stdout).toMatch(/\ndesk-bot +3 +inactive +anthropic\/claude-3-opus +\d{4}-/);
    expect(json<{ bot_id: string }[]>(lsJson.stdout).map((b) => b.bot_id)).toEqual(["desk-bot"]);
    expect(get.stdout).toMatch(/^desk-bot version 3 \(inactive\), updated /);
    expect(JSON.parse(get.stdout.slice(get.stdout.indexOf("\n")))).toEqual({
      llm: { provider: "anthropic", model: "claude-3-opus" },
      tools: ["search"],
    });
    expect(json<{ version: number; config: unknown }>(getV1.stdout)).toMatchObject({
      version: 1,
      config: { llm: { model: "claude-3-sonnet" }, system_prompt: "Be brief." },
    });
    expect(history.stdout).toMatch(
      /VERSION +STATUS +MODEL +WRITTEN\n +3 +inactive .*\n +2 +active .*\n +1 +active /,
    );
    expect(json<{ version: number }[]>(limited.stdout).map((r) => r.version)).toEqual([3, 2]);
    expect(diff.stdout).toContain("desk-bot: version 1 → 3");
    expect(diff.stdout).toContain('~ llm.model: "claude-3-sonnet" → "claude-3-opus"');
    expect(diff.stdout).toContain('- system_prompt: "Be brief."');
    expect(diff.stdout).toContain('+ tools: ["search"]');
    expect(json(diffJson.stdout)).toEqual([
      { path: "llm.model", op: "changed", from: "claude-3-sonnet", to: "claude-3-opus" },
      { path: "system_prompt", op: "removed", from: "Be brief." },
    ]);

    run = await bots("rollback", "desk-bot", "1");
    expect([run.code, run.stdout.trim()]).toEqual([
      0,
      "desk-bot: version 4, with the config of version 1",
    ]);
    const back = json<{ version: number; config: unknown }>(
      (await bots("get", "desk-bot", "--json")).stdout,
    );
    expect(back).toMatchObject({
      version: 4,
      config: { llm: { model: "claude-3-sonnet" }, system_prompt: "Be brief." },
    });
  }, 240_000);

  it("bad input exits 2 naming the file or value; what does not exist exits 3", async () => {
    const [badYaml, list, missingFile, noBot, noVersion, badVersion] = await Promise.all([
      bots("put", "x-bot", file("bad.yaml", "llm: [unclosed\n")),
      bots("put", "x-bot", file("list.json", "[1, 2]")),
      bots("put", "x-bot", join(dir, "absent.yaml")),
      bots("get", "no-such-bot"),
      bots("get", "desk-bot", "--version", "99"),
      bots("diff", "desk-bot", "one"),
    ]);
    expect([badYaml.code, badYaml.stderr]).toEqual([
      2,
      expect.stringContaining("bad.yaml is not valid JSON or YAML"),
    ]);
    expect([list.code, list.stderr]).toEqual([
      2,
      expect.stringContaining("holds a list: a bot's config is an object"),
    ]);
    expect([missingFile.code, missingFile.stderr]).toEqual([
      2,
      expect.stringContaining("cannot read"),
    ]);
    expect([noBot.code, noBot.stderr]).toEqual([
      3,
      expect.stringContaining("Bot 'no-such-bot' not found"),
    ]);
    expect(noVersion.code).toBe(3);
    expect(noVersion.stderr).toContain("Version 99 of bot 'desk-bot' not found");
    expect([badVersion.code, badVersion.stderr]).toEqual([
      2,
      expect.stringContaining('invalid FROM "one"'),
    ]);
  }, 120_000);
});

describe("botknobs bots, on a server", () => {
  it("writes with a read-write token, is refused without one or with a read-only one; a write to the server's data folder is served at once", async () => {
    const folder = join(dir, "served");
    const server = await npmStart({
      BOTKNOBS_DATA: folder,
      BOTKNOBS_TOKENS: "rw-token",
      BOTKNOBS_READ_TOKENS: "ro-token",
    });
    try {
      const config = file("s.json", JSON.stringify({ llm: { model: "m1" } }));
      const put = (token: string | undefined) =>
        cli(["bots", "put", "server-bot", config, "--server", server.url], {
          env: { BOTKNOBS_TOKEN: token },
        });
      const [none, readOnly, readWrite] = await Promise.all([
        put(undefined),
        put("ro-token"),
        put("rw-token"),
      ]);
      expect([none.code, none.stderr]).toEqual([1, expect.stringContaining("set BOTKNOBS_TOKEN")]);
      expect([readOnly.code, readOnly.stderr]).toEqual([
        1,
        expect.stringContaining("read-only token"),
      ]);
      expect([readWrite.code, readWrite.stdout.trim()]).toEqual([
        0,
        "server-bot: version 1 (active)",
      ]);
      const ls = await cli(["bots", "ls", "--json"], {
        env: { BOTKNOBS_SERVER: server.url, BOTKNOBS_TOKEN: "ro-token" },
      });
      expect(
        json<{ bot_id: string }[]>(ls.stdout)
          .map((b) => b.bot_id)
          .sort(),
      ).toEqual(["server-bot", "support-bot"]);

      // Through the folder, beside the server: the server answers with it.
      const local = await cli(["bots", "put", "folder-bot", config, "--data", folder]);
      expect(local.code).toBe(0);
      const served = await fetch(`${server.url}/bots/folder-bot`, {
        headers: { authorization: "Bearer ro-token" },
      });
      expect(served.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
