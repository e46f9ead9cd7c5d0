/**
 * Registry restarts (issue 22, item 5): a fresh process opens a `FileRecordStore` through
 * `StoreRegistryBackend`, as `npm start` does, over a journal of 10,000 versions of 10 KB
 * records, and answers its first read. Measured: the time to that answer ("open + first read"),
 * the RSS and heap after it (after a GC), and a 20-version history page after it — for the code
 * at HEAD and, with `--before <git ref>`, the code at that ref (each one's `src/` taken out with
 * `git archive` beside this tree's node_modules, so the tree may change while it runs). HEAD is
 * measured twice: as it restarts (from the index writers keep beside the journal) and with the
 * index moved away (the journal read whole). Also the time to write the 10,000 versions
 * (sequential PUTs, no fsync) with each tree, and a baseline: a registry of one version (what
 * the process takes before any history). Journals are written by HEAD (both trees read them);
 * one row reads a journal the `--before` tree wrote.
 *
 * Shapes: 100 bots × 100 versions and 1 bot × 10,000, with no history limit and with
 * `BENCH_LIMIT` (default 100). Each figure is the median of `BENCH_RUNS` (3) fresh processes.
 *
 *   npx tsx bench/registry-restart.bench.ts --before 9f860fb
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LIMIT = process.env.BENCH_LIMIT ?? "100";
const here = resolve(import.meta.dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "botknobs-bench-restart-"));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** A code tree of `ref`'s `src/`, beside this tree's node_modules. */
function treeAt(ref: string): string {
  const root = join(tmp, `tree-${ref}`);
  mkdirSync(root);
  execFileSync("sh", ["-c", `git archive ${ref} src | tar -x -C ${root}`], { cwd: here });
  symlinkSync(join(here, "node_modules"), join(root, "node_modules"));
  return root;
}

function child(args: string[]): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", join(here, "bench/registry-restart-child.ts"), ...args],
    { cwd: here, encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"] },
  );
  return JSON.parse(out) as Record<string, number>;
}

const beforeRef = process.argv.includes("--before")
  ? (process.argv[process.argv.indexOf("--before") + 1] as string)
  : undefined;
const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
  cwd: here,
  encoding: "utf8",
}).trim();
const trees: Array<[string, string]> = [[`after (${head})`, treeAt("HEAD")]];
if (beforeRef !== undefined) trees.unshift([`before (${beforeRef})`, treeAt(beforeRef)]);

const shapes: Array<{ name: string; bots: number; versions: number; limit: string; by?: string }> =
  [
    { name: "baseline: 1 bot × 1 version", bots: 1, versions: 1, limit: "none" },
    { name: "100 bots × 100 versions, no limit", bots: 100, versions: 100, limit: "none" },
    { name: `100 bots × 100 versions, limit ${LIMIT}`, bots: 100, versions: 100, limit: LIMIT },
    { name: "1 bot × 10,000 versions, no limit", bots: 1, versions: 10_000, limit: "none" },
    { name: `1 bot × 10,000 versions, limit ${LIMIT}`, bots: 1, versions: 10_000, limit: LIMIT },
  ];
if (beforeRef !== undefined) {
  shapes.push({
    name: "100 bots × 100 versions, no limit, written by the before tree",
    bots: 100,
    versions: 100,
    limit: "none",
    by: trees[0]?.[1] as string,
  });
}

const rows: string[] = [];
try {
  for (const shape of shapes) {
    const dir = join(tmp, shape.name.replace(/\W+/g, "-"));
    const writer = shape.by ?? (trees[trees.length - 1]?.[1] as string);
    const { ms } = child([
      "write",
      writer,
      dir,
      String(shape.bots),
      String(shape.versions),
      shape.limit,
    ]);
    const size = Number(
      execFileSync("du", ["-sb", join(dir, "registry.jsonl")], { encoding: "utf8" }).split("\t")[0],
    );
    console.log(
      `${shape.name}: journal ${(size / 1e6).toFixed(1)} MB, written in ${((ms as number) / 1000).toFixed(1)} s`,
    );
    const index = join(dir, ".botknobs-index-registry");
    const [lastLabel, lastRoot] = trees[trees.length - 1] as [string, string];
    const variants: Array<[string, string, boolean]> = trees.map(([l, r]) => [l, r, false]);
    if (existsSync(index))
      variants.push([`${lastLabel}, journal only (index moved away)`, lastRoot, true]);
    for (const [label, root, noIndex] of variants) {
      if (noIndex) renameSync(index, `${index}-away`);
      const runs = Array.from({ length: RUNS }, () =>
        child(["read", root, dir, shape.limit, "bot-0"]),
      );
      if (noIndex) renameSync(`${index}-away`, index);
      const m = (k: string) => median(runs.map((r) => r[k] as number));
      const row = `| ${shape.name} | ${label} | ${(size / 1e6).toFixed(1)} MB | ${m("openMs").toFixed(0)} ms | ${m("rssMb").toFixed(0)} MB | ${m("heapMb").toFixed(0)} MB | ${m("historyMs").toFixed(1)} ms |`;
      console.log(row);
      rows.push(row);
    }
  }
  // Writes: 10,000 PUTs (100 bots × 100) into an empty folder, by each tree.
  for (const [label, root] of trees) {
    let row: string;
    try {
      const times = Array.from({ length: Math.min(RUNS, 2) }, (_, i) => {
        const dir = join(tmp, `writes-${label.replace(/\W+/g, "-")}-${i}`);
        return child(["write", root, dir, "100", "100", "none"]).ms as number;
      });
      row = `| 10,000 PUTs of 10 KB (100 bots × 100, sequential, no fsync) | ${label} | ${(median(times) / 1000).toFixed(1)} s | ${(10_000 / (median(times) / 1000)).toFixed(0)} PUT/s |`;
    } catch (error) {
      // Reported, not fatal: the other rows stand.
      const message = String((error as { stderr?: string }).stderr ?? error).match(
        /\w*Error: .*/,
      )?.[0];
      row = `| 10,000 PUTs of 10 KB (100 bots × 100, sequential, no fsync) | ${label} | failed: ${message} |`;
    }
    console.log(row);
    rows.push(row);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`\n${rows.join("\n")}`);
