// The summary of the mutant kit's tests, from Vitest's JSON report: caught/total per adapter.
// `npm run mutants` (scripts/mutants.mjs) prints it after its run; `npm test` (scripts/test.mjs)
// after its Vitest projects, where each mutant runs against the cases named for it.
import { basename } from "node:path";

/** The kit's test files outside test/mutants/ (inside workerd). */
const WORKERD_FILES = [
  "adapter-mutants.test.ts",
  "d1-mutants.test.ts",
  "cloudflare-mutants.test.ts",
];

/** The kit's tests in one Vitest JSON report, each with its file name. */
export function mutantTests(report) {
  const tests = [];
  for (const file of report.testResults) {
    const name = basename(file.name);
    if (file.name.includes("/test/mutants/") || WORKERD_FILES.includes(name))
      for (const t of file.assertionResults) tests.push({ ...t, file: name });
  }
  return tests;
}

/** The adapter a mutant test is about, from its title (or its file). */
function adapterOf(t) {
  if (t.title.includes(" · ")) return t.title.split(" · ")[0];
  const prefix = t.title.match(/^([A-Za-z0-9 ]+): /);
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

/** A mutant's test (the others are controls: the real implementations on the same cases). */
const isMutant = (t) =>
  t.title.includes(" - caught by ") || t.file === "cloudflare-mutants.test.ts";

/**
 * Prints caught/total per adapter, the survivors and the failed controls; returns the counts.
 * A mutant's test passes when its port's conformance cases caught it.
 */
export function printMutantSummary(tests) {
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
    const tag = row.caught === row.total ? "ok  " : "FAIL";
    console.log(`${tag} ${adapter.padEnd(34)} ${row.caught}/${row.total}`);
  }
  console.log(
    `total: ${caught}/${total} caught; controls: ${controls.passed} passed, ${controls.failed.length} failed`,
  );
  for (const s of survivors) console.log(`survivor: ${s}`);
  for (const c of controls.failed) console.log(`control failed: ${c}`);
  return { survivors: survivors.length, controlsFailed: controls.failed.length, total };
}
