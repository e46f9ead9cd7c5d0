/**
 * `botknobs` from source under another runtime (`deno run -A src/cli/bin.ts`, `bun
 * src/cli/bin.ts`), spawned as an operator runs it: ingest a folder and search it, write and
 * compare a bot, serve and answer. Run by test/deno/cli.test.ts and test/bun/cli.test.ts; Node
 * has the cli-*.test.ts files.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestHarness } from "../../src/testing/index.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(program: string[], args: string[], env: Record<string, string> = {}): Promise<Run> {
  const [command, ...first] = program;
  const child = spawn(command as string, [...first, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Uint8Array) => {
    stdout += new TextDecoder().decode(c);
  });
  child.stderr?.on("data", (c: Uint8Array) => {
    stderr += new TextDecoder().decode(c);
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

/** A long-running process (`serve`): what it printed so far, and SIGTERM resolving its exit code. */
export interface Running {
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `command args` in the repository (node:child_process). */
function startProcess(command: string, args: string[]): Running {
  const child = spawn(command, args, { cwd: root, env: { ...process.env } });
  let out = "";
  child.stdout?.on("data", (c: Uint8Array) => {
    out += new TextDecoder().decode(c);
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    output: () => out,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * The cases, on `runtime`, running `program` + the command's arguments; `start` starts a
 * long-running one (default node:child_process; Deno passes its own `Deno.Command`, since a Deno
 * child spawned through its node:child_process does not get its SIGTERM handler run).
 * @example
 * runCliOnRuntime(harness, "deno", [Deno.execPath(), "run", "-A", "src/cli/bin.ts"]);
 */
export function runCliOnRuntime(
  h: TestHarness,
  runtime: string,
  program: string[],
  start: (command: string, args: string[], cwd: string) => Running = startProcess,
): void {
  const { describe, it, expect } = h;
  describe(`botknobs on ${runtime}`, () => {
    it("ingest a folder into a data folder, then search it; again: nothing uploaded", async () => {
      const dir = mkdtempSync(join(tmpdir(), `botknobs-cli-${runtime}-`));
      try {
        mkdirSync(join(dir, "docs", "guide"), { recursive: true });
        writeFileSync(
          join(dir, "docs", "guide", "otters.md"),
          "# Otters\n\nSea otters hold hands while they sleep.",
        );
        writeFileSync(join(dir, "docs", "notes.txt"), "Penguins huddle in winter.");
        const data = join(dir, "data");
        const first = await run(program, [
          "ingest",
          join(dir, "docs"),
          "--kb",
          "docs",
          "--data",
          data,
        ]);
        expect(first.code).toBe(0);
        expect(first.stdout).toContain("2 uploaded, 0 unchanged, 0 deleted");
        expect(first.stderr).toMatch(/ingest: 2\/2 files, \d+ chunks/);
        const again = await run(program, [
          "ingest",
          join(dir, "docs"),
          "--kb",
          "docs",
          "--data",
          data,
        ]);
        expect(again.stdout).toContain("0 uploaded, 2 unchanged, 0 deleted");
        const found = await run(program, [
          "search",
          "docs",
          "otters sleep",
          "--json",
          "--data",
          data,
        ]);
        expect(JSON.parse(found.stdout).results[0].source).toBe("guide/otters.md");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it("bots put, then diff against the first version; a missing bot exits 3", async () => {
      const dir = mkdtempSync(join(tmpdir(), `botknobs-cli-${runtime}-`));
      try {
        const data = join(dir, "data");
        for (const model of ["a", "b"]) {
          writeFileSync(join(dir, "bot.yaml"), `llm:\n  model: ${model}\n`);
          expect(
            (await run(program, ["bots", "put", "r-bot", join(dir, "bot.yaml"), "--data", data]))
              .code,
          ).toBe(0);
        }
        const diff = await run(program, ["bots", "diff", "r-bot", "1", "--json", "--data", data]);
        expect(JSON.parse(diff.stdout)).toEqual([
          { path: "llm.model", op: "changed", from: "a", to: "b" },
        ]);
        expect((await run(program, ["bots", "get", "ghost", "--data", data])).code).toBe(3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it("serve answers with the seeded demo, and stops on SIGTERM", async () => {
      const dir = mkdtempSync(join(tmpdir(), `botknobs-cli-${runtime}-`));
      const [command, ...first] = program;
      const server = start(
        command as string,
        [...first, "serve", "--port", "0", "--data", join(dir, "data")],
        root,
      );
      try {
        for (let i = 0; i < 1200 && !/\ntry: /.test(server.output()); i++)
          await new Promise((r) => setTimeout(r, 50));
        const url = /botknobs API on (http:\/\/\S+)/.exec(server.output())?.[1] as string;
        const bot = (await (await fetch(`${url}/bots/support-bot`)).json()) as {
          config: { llm: { model: string } };
        };
        expect(bot.config.llm.model).toBe("claude-3-sonnet");
        const hits = (await (await fetch(`${url}/kb/support/search?q=reset+password`)).json()) as {
          results: { source: string }[];
        };
        expect(hits.results[0]?.source).toBe("faq.md");
      } finally {
        expect(await server.stop()).toBe(0);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
