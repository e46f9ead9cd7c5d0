#!/usr/bin/env node
// `npm run mutants`: the mutation run. Applies each mutant of the kit (test/mutants/: the
// adapters' source mutants, and the broken stores, buses, indexes and managers) to its adapter,
// runs that port's conformance suites against it — every case, not only the named ones — and
// prints caught/total per adapter. Exits non-zero when a mutant survives (no conformance case
// failed, or not the cases named for it) or a control (the real adapter on the same cases) fails.
//   npm run mutants                 every case of each port's suites (BOTKNOBS_MUTANTS=full)
//   npm run mutants -- --quick      only the named cases (as inside `npm test`)
//   npm run mutants -- --any        any failing conformance case catches a mutant
//   npm run mutants -- node         one Vitest project only (node or workerd)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

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
  for (const file of JSON.parse(readFileSync(out, "utf8")).testResults)
    for (const t of file.assertionResults) tests.push({ ...t, file: basename(file.name) });
}
rmSync(tmp, { recursive: true, force: true });

/** The adapter a mutant test is about, from its title (or its file). */
function adapterOf(t) {
  const title = t.title;
  if (title.includes(" · ")) return title.split(" · ")[0];
  const prefix = title.match(/^([A-Za-z0-9 ]+): /);
  if (prefix) return prefix[1];
  if (t.file === "d1-mutants.test.ts") return "D1";
  if (t.file === "mutants.test.ts") return "record store (over memory)";
  if (t.file === "event-bus.test.ts") return "event bus (over memory)";
  if (t.file === "knowledge.test.ts") return "knowledge backend";
  if (t.file === "managers.test.ts")
    return t.ancestorTitles.some((a) => a.includes("hot-reload"))
      ? "hot-reload manager"
      : "caching manager";
  return t.file;
}

const isMutant = (t) =>
  t.title.includes(" - caught by ") || t.file === "cloudflare-mutants.test.ts";
const byAdapter = new Map();
const survivors = [];
const controls = { passed: 0, failed: [] };
for (const t of tests) {
  if (t.status === "skipped" || t.status === "pending") continue;
  if (!isMutant(t)) {
    if (t.status === "passed") controls.passed++;
    else controls.failed.push(`${t.file} > ${t.title}`);
    continue;
  }
  const adapter = adapterOf(t);
  const row = byAdapter.get(adapter) ?? { caught: 0, total: 0 };
  row.total++;
  if (t.status === "passed") row.caught++;
  else survivors.push(`${adapter}: ${t.title}`);
  byAdapter.set(adapter, row);
}

console.log("\n━━━ mutants caught by the conformance suites, per adapter");
let caught = 0;
let total = 0;
for (const [adapter, row] of [...byAdapter].sort(([a], [b]) => a.localeCompare(b))) {
  caught += row.caught;
  total += row.total;
  console.log(
    `${row.caught === row.total ? "ok  " : "FAIL"} ${adapter.padEnd(34)} ${row.caught}/${row.total}`,
  );
}
console.log(
  `total: ${caught}/${total} caught; controls: ${controls.passed} passed, ${controls.failed.length} failed`,
);
for (const s of survivors) console.log(`survivor: ${s}`);
for (const c of controls.failed) console.log(`control failed: ${c}`);
process.exit(crashed || survivors.length || controls.failed.length || total === 0 ? 1 : 0);
