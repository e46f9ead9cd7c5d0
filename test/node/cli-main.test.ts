// `botknobs` as a whole, spawned as a process: --help on every command and subcommand, the
// version, and the exit codes and messages of a wrong command line; colour on a terminal only,
// and never with NO_COLOR.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileApp } from "../../src/adapters/fs/index.ts";
import { type CliRun, cli, cliTty, hasScript } from "../fixtures/cli.ts";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-main-"));
const data = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const app = createFileApp({ path: data });
  await app.registry.register("color-bot", { llm: { provider: "p", model: "m" } });
  await app.eventBus.close();
});

const COMMANDS = [
  ["serve"],
  ["ingest"],
  ["search"],
  ["bots"],
  ["bots", "ls"],
  ["bots", "get"],
  ["bots", "put"],
  ["bots", "history"],
  ["bots", "rollback"],
  ["bots", "diff"],
  ["kb"],
  ["kb", "ls"],
  ["kb", "status"],
  ["kb", "rm"],
  ["eval"],
  ["export"],
];

describe("botknobs", () => {
  it("--help: the commands, the targets, the exit codes; exit 0", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const name of ["serve", "ingest", "search", "bots", "kb", "eval", "export"])
      expect(stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
    expect(stdout).toContain("BOTKNOBS_TOKEN");
    expect(stdout).toContain("NO_COLOR");
    expect(stdout).toMatch(/exit codes: 0 .* 1 .* 2 .* 3 not found/);
  });

  it("no command: the help on stdout, exit 2", async () => {
    const { code, stdout } = await cli([]);
    expect([code, stdout.includes("usage: botknobs <command>")]).toEqual([2, true]);
  });

  it("--help on every command and subcommand: its usage and options, exit 0, nothing run", async () => {
    // Four at a time: each is a process of its own.
    const runs: CliRun[] = [];
    for (let i = 0; i < COMMANDS.length; i += 4)
      runs.push(...(await Promise.all(COMMANDS.slice(i, i + 4).map((c) => cli([...c, "--help"])))));
    runs.forEach((run, i) => {
      const name = (COMMANDS[i] as string[]).join(" ");
      expect([name, run.code, run.stderr]).toEqual([name, 0, ""]);
      // A group lists its subcommands' usage lines; a command starts with its own.
      expect(run.stdout).toContain(`botknobs ${name}`);
      if ((COMMANDS[i] as string[]).length === 2 || !["bots", "kb"].includes(name))
        expect(run.stdout).toMatch(new RegExp(`^usage: botknobs ${name}\\b`));
    });
  }, 300_000);

  it("--version: the package's version", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const { code, stdout } = await cli(["--version"]);
    expect([code, stdout.trim()]).toEqual([0, pkg.version]);
  });

  it("a wrong command line exits 2 and names what to fix", async () => {
    const [unknown, flag, missing, extra, number, both, sub] = await Promise.all([
      cli(["sevre"]),
      cli(["kb", "ls", "--colour"]),
      cli(["search", "support"]),
      cli(["kb", "status", "a", "b"]),
      cli(["search", "support", "q", "-k", "many", "--data", data]),
      cli(["bots", "ls", "--server", "http://127.0.0.1:1", "--data", data]),
      cli(["bots", "remove", "x"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "sevre"');
    expect(unknown.stderr).toContain("serve, ingest, search, bots, kb, eval, export");
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringContaining("--colour")]);
    expect(flag.stderr).toContain("usage: botknobs kb ls");
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('missing "query"')]);
    expect([extra.code, extra.stderr]).toEqual([
      2,
      expect.stringContaining('unexpected argument "b"'),
    ]);
    expect([number.code, number.stderr]).toEqual([
      2,
      expect.stringContaining('invalid -k "many": a whole number from 1 to 100'),
    ]);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("not both")]);
    expect([sub.code, sub.stderr]).toEqual([
      2,
      expect.stringContaining("the bots commands are ls, get, put, history, rollback, diff"),
    ]);
    for (const run of [unknown, flag, missing, extra, number, both, sub])
      expect(run.stdout).toBe("");
  }, 60_000);

  it("a data folder that is not there: exit 2, naming --data and --server", async () => {
    const run = await cli(["bots", "ls", "--data", join(dir, "nowhere")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no data folder at ${join(dir, "nowhere")}`);
    expect(run.stderr).toContain("--server URL");
  });

  it("a server that does not answer: exit 1, naming the server", async () => {
    const run = await cli(["bots", "ls"], { env: { BOTKNOBS_SERVER: "http://127.0.0.1:9" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot reach the server http://127.0.0.1:9");
  });

  it.skipIf(!hasScript())(
    "colour on a terminal, none with NO_COLOR, none when piped",
    async () => {
      const [tty, noColor, emptyNoColor, piped] = await Promise.all([
        cliTty(["bots", "ls", "--data", data]),
        cliTty(["bots", "ls", "--data", data], { env: { NO_COLOR: "1" } }),
        cliTty(["bots", "ls", "--data", data], { env: { NO_COLOR: "" } }),
        cli(["bots", "ls", "--data", data]),
      ]);
      expect(tty.stdout).toContain("color-bot");
      expect(tty.stdout).toContain("\x1b[1mBOT");
      // NO_COLOR set to anything but "" (https://no-color.org).
      expect(noColor.stdout).toContain("color-bot");
      expect(noColor.stdout).not.toContain("\x1b[1m");
      expect(emptyNoColor.stdout).toContain("\x1b[1mBOT");
      expect(piped.stdout).toContain("color-bot");
      expect(piped.stdout).not.toContain("\x1b[");
    },
    60_000,
  );
});

if (!hasScript())
  console.log("skipped: the terminal cases need `script` (apt-get install -y bsdutils)");
