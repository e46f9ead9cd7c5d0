/**
 * Restart benchmark: `npm start` (`botknobs serve`: src/cli/bin.ts, or scripts/start.ts in trees
 * from before the command line) on a data folder holding RESTART_FILES files
 * in one knowledge base, spawned again and again — the time from spawn to the first answered
 * request (`GET /bots/support-bot`, polled every 10 ms on a fixed port), the server's RSS then,
 * and (where the sweep runs after listening) when the sweep's log line came and the RSS after it.
 * The same for the seeded demo folder (2 files), to show whether restart time grows with files.
 *
 *   npx tsx bench/start-restart.bench.ts
 *   env: RESTART_FILES=20000, RESTART_RUNS=3, RESTART_DATA=<folder to build once and reuse>,
 *        RESTART_BEFORE=<another tree to compare, e.g. the code of before:
 *          git archive <commit> | tar -x -C /tmp/before && ln -s $PWD/node_modules /tmp/before/>
 *
 * The folder is built with this tree's `createFileApp` (`putFiles` in batches of 1,000; the
 * layout is the same before and after) and is left in place for the next run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createFileApp } from "../src/adapters/fs/index.ts";

const FILES = Number(process.env.RESTART_FILES ?? 20_000);
const RUNS = Number(process.env.RESTART_RUNS ?? 3);
const here = resolve(import.meta.dirname, "..");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A data folder with `files` files in knowledge base `support` (and the demo bot). */
async function build(path: string, files: number): Promise<void> {
  const began = performance.now();
  const app = createFileApp({ path });
  await app.registry.register("support-bot", { llm: { model: "claude-3-sonnet" } });
  await app.knowledge.createKb("support", {});
  for (let i = 0; i < files; i += 1000) {
    const entries = [];
    for (let j = i; j < Math.min(files, i + 1000); j++)
      entries.push({
        path: `docs/d${Math.floor(j / 500)}/f${j}.md`,
        content: `# File ${j}\n\nSome text about topic ${j % 97}, and more words for file ${j}.`,
      });
    await app.knowledge.putFiles("support", entries);
  }
  console.log(
    `built ${path}: ${files} files in ${((performance.now() - began) / 1000).toFixed(0)} s`,
  );
}

interface Run {
  firstAnswerMs: number;
  rssAtAnswer: number;
  sweptMs: number | null;
  rssAfterSweep: number | null;
}

/** One restart of `tree`'s `npm start` on `data`. */
async function restart(tree: string, data: string): Promise<Run> {
  const port = await freePort();
  const began = performance.now();
  // `npm start` of the tree: the command line's `serve`, or the script it replaced.
  const cli = existsSync(join(tree, "src/cli/bin.ts"));
  const entry = cli ? ["src/cli/bin.ts", "serve"] : ["scripts/start.ts"];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ...entry], {
    cwd: tree,
    env: { ...process.env, PORT: String(port), BOTKNOBS_DATA: data },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  let sweptAt: number | null = null;
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (sweptAt === null && /\nswept /.test(out)) sweptAt = performance.now();
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${out}`);
      const answered = await fetch(`http://127.0.0.1:${port}/bots/support-bot`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (answered) break;
      await sleep(10);
    }
    const firstAnswerMs = performance.now() - began;
    const rssAtAnswer = rssOf(child.pid as number);
    // A tree that sweeps after listening logs "swept <path> in …"; one that swept before
    // listening has nothing more to do.
    const sweeps = readFileSync(
      join(tree, cli ? "src/cli/serve.ts" : "scripts/start.ts"),
      "utf8",
    ).includes("`swept ${path} in");
    while (sweeps && sweptAt === null) await sleep(20);
    return {
      firstAnswerMs,
      rssAtAnswer,
      sweptMs: sweptAt === null ? null : sweptAt - began,
      rssAfterSweep: sweeps ? rssOf(child.pid as number) : null,
    };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(label: string, tree: string, data: string): Promise<void> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await restart(tree, data));
  const first = median(runs.map((r) => r.firstAnswerMs));
  const swept = runs.every((r) => r.sweptMs !== null)
    ? `${(median(runs.map((r) => r.sweptMs as number)) / 1000).toFixed(1)} s`
    : "before listening";
  const rssAfter = runs.every((r) => r.rssAfterSweep !== null)
    ? mb(median(runs.map((r) => r.rssAfterSweep as number)))
    : "—";
  console.log(
    `| ${label} | ${(first / 1000).toFixed(2)} s (${runs.map((r) => (r.firstAnswerMs / 1000).toFixed(2)).join(", ")}) | ${mb(median(runs.map((r) => r.rssAtAnswer)))} | ${swept} | ${rssAfter} |`,
  );
}

const big = process.env.RESTART_DATA ?? join(tmpdir(), `botknobs-restart-${FILES}`);
// A folder built before: its knowledge (its registry may have moved into SQLite on a start).
if (!existsSync(join(big, "knowledge"))) await build(big, FILES);
const small = mkdtempSync(join(tmpdir(), "botknobs-restart-demo-"));
await restart(here, small); // seeds the demo: 2 files

const trees: [string, string][] = [["after (this tree)", here]];
if (process.env.RESTART_BEFORE) trees.unshift(["before", resolve(process.env.RESTART_BEFORE)]);
console.log(`load average ${loadavg()[0]?.toFixed(1)}, ${RUNS} restarts each, medians`);
console.log(
  "| tree · folder | first answer after spawn | RSS then | sweep done after spawn | RSS after sweep |",
);
console.log("|---|---:|---:|---:|---:|");
for (const [label, tree] of trees) {
  await measure(`${label} · 2 files (demo)`, tree, small);
  await measure(`${label} · ${FILES.toLocaleString("en")} files`, tree, big);
}
