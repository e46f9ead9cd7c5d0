#!/usr/bin/env node
// `npm run mutants`: the mutation run. Applies each mutant of the kit (test/mutants/: the
// adapters' source mutants, and the broken stores, buses, indexes and managers) to its adapter,
// runs that port's conformance suites against it — every case, not only the named ones — and
// prints caught/total per adapter. Exits non-zero when a mutant survives (no conformance case
// failed, or not the cases named for it) or a control (the real adapter on the same cases) fails.
//   npm run mutants                 every case of each port's suites (BOTKNOBS_MUTANTS=full)
//   npm run mutants -- --quick      only the named cases (as inside `npm test`)
//   npm run mutants -- --any        any failing conformance case catches a mutant
//   npm run mutants -- node         one Vitest project only (node, workerd or browser)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutantTests, printMutantSummary } from "./mutant-summary.mjs";

const args = process.argv.slice(2);
const mode = args.includes("--quick") ? "" : args.includes("--any") ? "any" : "full";
const projects = args.filter((a) => !a.startsWith("--"));
const FILES = {
  node: ["test/mutants/"],
  workerd: [
    "test/workerd/adapter-mutants.test.ts",
    "test/workerd/d1-mutants.test.ts",
    "test/workerd/cloudflare-mutants.test.ts",
  ],
  browser: ["test/browser/browser-mutants.test.ts"],
};

const tmp = mkdtempSync(join(tmpdir(), "botknobs-mutants-"));
const tests = [];
let crashed = false;
for (const [project, files] of Object.entries(FILES)) {
  if (projects.length && !projects.includes(project)) continue;
  const out = join(tmp, `${project}.json`);
  console.log(`━━━ ${project}: ${files.join(" ")} (BOTKNOBS_MUTANTS=${mode || "named cases"})`);
  const run = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "--project",
      project,
      "--reporter=dot",
      "--reporter=json",
      `--outputFile.json=${out}`,
      ...files,
    ],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, BOTKNOBS_MUTANTS: mode } },
  );
  if (!existsSync(out)) {
    console.log(`${project}: Vitest wrote no report (exit ${run.status})`);
    crashed = true;
    continue;
  }
  tests.push(...mutantTests(JSON.parse(readFileSync(out, "utf8"))));
}
rmSync(tmp, { recursive: true, force: true });

const { survivors, controlsFailed, total } = printMutantSummary(tests);
process.exit(crashed || survivors || controlsFailed || total === 0 ? 1 : 0);
