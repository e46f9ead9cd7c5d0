// `npx botknobs` as a team gets it: the packed tarball installed alone into an empty project
// (dependencies from the npm registry; the optional peers @hono/node-server, ws and
// better-sqlite3 left out: `serve` on Node keeps the registry in files and says why).
// `serve` answers the README's curls under Node, Deno and Bun; `ingest` of the docs corpus draws
// its progress bar on a terminal and then finds a page by its title; `eval` of SciFact prints the
// numbers `npm run eval:beir` prints from the source. Skipped (with the reason) only when npm
// cannot install the tarball's dependencies, and then failed under BOTKNOBS_REQUIRE_SERVICES=1.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { cli, cliTty, hasScript } from "../fixtures/cli.ts";
import { DATA_DIR, docsCorpusDir, hasData, NO_DATA } from "../fixtures/data.ts";
import { npmStart } from "../fixtures/npm-start.ts";
import { packTarball } from "../fixtures/pack.ts";
import { readmeCurls } from "../fixtures/readme-curls.ts";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "node_modules/.bin");
const project = mkdtempSync(join(tmpdir(), "botknobs-npx-"));
let installed = false;

beforeAll(async () => {
  const tarball = basename(await packTarball(project));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "team-app", private: true, type: "module" }),
  );
  const install = spawnSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`],
    { cwd: project, encoding: "utf8" },
  );
  if (install.status === 0) {
    installed = true;
    return;
  }
  const why = `npm could not install the tarball's dependencies from the registry (no network?): ${install.stderr.trim().split("\n").slice(-3).join(" ")}`;
  if (process.env.BOTKNOBS_REQUIRE_SERVICES === "1")
    throw new Error(`${why} (BOTKNOBS_REQUIRE_SERVICES=1)`);
  console.log(`skipped: ${why}`);
}, 900_000);
afterAll(() => rm(project, { recursive: true, force: true }), 300_000);

const needInstall = (ctx: TestContext): void => {
  if (!installed) ctx.skip();
};
/** `npx botknobs …` in the project. */
const npx = ["npx", "--no-install", "botknobs"];
/** What npx runs: the installed bin (a process that takes signals itself, for `serve`). */
const installedBin = (): string[] => [join(project, "node_modules/.bin/botknobs")];

describe("the installed package's botknobs", () => {
  it("is a bin of the package, and the optional peers are not installed", async (ctx) => {
    needInstall(ctx);
    expect(existsSync(join(project, "node_modules/.bin/botknobs"))).toBe(true);
    expect(existsSync(join(project, "node_modules/@hono/node-server"))).toBe(false);
    expect(existsSync(join(project, "node_modules/ws"))).toBe(false);
    // Compiled JavaScript: no TypeScript runner is there to run it.
    expect(existsSync(join(project, "node_modules/tsx"))).toBe(false);
    const run = await cli(["--version"], { bin: npx, cwd: project });
    expect([run.code, run.stdout.trim()]).toEqual([0, "0.1.0"]);
  }, 60_000);

  it("npx botknobs serve answers the README's curls (Server-Sent Events, without the peers)", async (ctx) => {
    needInstall(ctx);
    const server = await npmStart(
      { BOTKNOBS_DATA: join(project, "node-data") },
      [],
      project,
      installedBin(),
    );
    try {
      // The start resolves at its `try:` line; the `events:` line follows it.
      for (let i = 0; i < 100 && !server.out().includes("\nevents: "); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(server.out()).toContain(
        "for WebSocket too, install the optional peers: npm i ws @hono/node-server",
      );
      // Without the optional peer better-sqlite3, the registry is kept in files, said in one line.
      expect(existsSync(join(project, "node_modules/better-sqlite3"))).toBe(false);
      expect(server.out()).toMatch(
        /^registry on files, not SQLite: better-sqlite3 is not installed \(npm install better-sqlite3 for SQLite\)\n/m,
      );
      expect(server.out()).toContain("; registry and events in files;");
      expect(server.firstLine).toContain("no auth");
      await readmeCurls(server.url);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("serves under Deno (deno run -A) and Bun as under Node", async (ctx) => {
    needInstall(ctx);
    const runtimes: [string, string[]][] = [
      [
        "deno",
        [join(bin, "deno"), "run", "-A", join(project, "node_modules/botknobs/bin/botknobs.js")],
      ],
      ["bun", [join(bin, "bun"), join(project, "node_modules/.bin/botknobs")]],
    ];
    for (const [name, program] of runtimes) {
      const server = await npmStart(
        { BOTKNOBS_DATA: join(project, `${name}-data`) },
        [],
        project,
        program,
      );
      try {
        // Their own SQLite (node:sqlite, bun:sqlite): no peer needed.
        expect([name, server.out()]).toEqual([
          name,
          expect.stringContaining("; registry and events in SQLite (botknobs.db);"),
        ]);
        await readmeCurls(server.url);
      } finally {
        await server.stop();
      }
    }
    // bunx runs the project's bin, with Bun itself given --bun.
    const listed = await cli(["kb", "ls", "--json", "--data", join(project, "bun-data")], {
      bin: [join(bin, "bunx"), "--bun", "botknobs"],
      cwd: project,
    });
    expect(JSON.parse(listed.stdout).map((k: { domain_id: string }) => k.domain_id)).toEqual([
      "support",
    ]);
  }, 300_000);

  it.skipIf(!hasData() || !hasScript())(
    "npx botknobs ingest of the docs corpus draws a progress bar, then finds a page by its title",
    async (ctx) => {
      needInstall(ctx);
      const data = join(project, "docs-data");
      const run = await cliTty(["ingest", docsCorpusDir(), "--kb", "docs", "--data", data], {
        bin: npx,
        cwd: project,
      });
      expect(run.code).toBe(0);
      const bars = run.stdout.split("\r\x1b[2K").slice(1);
      expect(bars.some((b) => /^upload .*files · [\d.]+\/[\d.]+ MB · .* · ETA/.test(b))).toBe(true);
      expect(bars.some((b) => /^ingest .*files · [\d,]+ chunks · .* · ETA/.test(b))).toBe(true);
      expect(run.stdout).toMatch(/ingested 'docs' in [\d.]+ s/);
      const found = await cli(
        ["search", "docs", "about_Execution_Policies", "--json", "--data", data],
        {
          bin: npx,
          cwd: project,
        },
      );
      expect(JSON.parse(found.stdout).results[0].source).toMatch(/\/about_Execution_Policies\.md$/);
    },
    900_000,
  );

  it.skipIf(!hasData())(
    "npx botknobs eval of SciFact prints the nDCG@10 and Recall@100 of npm run eval:beir",
    async (ctx) => {
      needInstall(ctx);
      const scifact = join(DATA_DIR, "scifact");
      const installedRun = await cli(["eval", scifact, "--split", "train"], {
        bin: npx,
        cwd: project,
      });
      const source = execFileSync(
        "npm",
        ["run", "--silent", "eval:beir", "--", scifact, "--split", "train"],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
      const metrics = (text: string): string[] =>
        text.split("\n").filter((l) => /^(nDCG@10|Recall@100) /.test(l));
      expect(metrics(installedRun.stdout)).toHaveLength(2);
      expect(metrics(installedRun.stdout)).toEqual(metrics(source));
    },
    900_000,
  );
});

if (!hasData()) console.log(NO_DATA);
