#!/usr/bin/env node
// `npm test`: every test on every runtime, one after another, with a summary at the end.
//   types + lint · Vitest on Node · Vitest inside workerd · Vitest inside Chromium · deno test · bun test
// Tests that need a service (Chromium here; PostgreSQL, Redis, S3 later) skip with a line saying
// what to install — unless BOTKNOBS_REQUIRE_SERVICES=1 (CI sets it), where a missing one fails.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutantTests, printMutantSummary } from "./mutant-summary.mjs";

const require = process.env.BOTKNOBS_REQUIRE_SERVICES === "1";
const only = process.argv.slice(2); // e.g. `npm test -- node deno`
const tmp = mkdtempSync(join(tmpdir(), "botknobs-test-"));
const results = [];

function run(label, cmd, args, parse, env = {}) {
  if (only.length && !only.includes(label)) return;
  console.log(`\n━━━ ${label}: ${[cmd, ...args].join(" ")}`);
  const started = Date.now();
  const out = spawnSync(cmd, args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...env },
  });
  const counts = parse ? parse() : { passed: 0, failed: 0, skipped: 0 };
  if (out.status !== 0 && counts.failed === 0) counts.failed = 1; // a crash counts as a failure
  results.push({
    label,
    ...counts,
    status: out.status ?? 1,
    seconds: (Date.now() - started) / 1000,
  });
}

function skip(label, why) {
  if (only.length && !only.includes(label)) return;
  if (require) {
    console.log(`\n━━━ ${label}: FAILED — ${why} (BOTKNOBS_REQUIRE_SERVICES=1)`);
    results.push({ label, passed: 0, failed: 1, skipped: 0, status: 1, seconds: 0, note: why });
  } else {
    console.log(`\n━━━ ${label}: skipped — ${why}`);
    results.push({
      label,
      passed: 0,
      failed: 0,
      skipped: 1,
      status: 0,
      seconds: 0,
      note: `skipped: ${why}`,
    });
  }
}

const vitestCounts = (file) => () => {
  if (!existsSync(file)) return { passed: 0, failed: 0, skipped: 0 };
  const json = JSON.parse(readFileSync(file, "utf8"));
  const failures = json.testResults.flatMap((file) => {
    const name = file.name.replace(`${process.cwd()}/`, "");
    const tests = file.assertionResults.filter((t) => t.status === "failed");
    if (tests.length) return tests.map((t) => `${name} › ${t.fullName}`);
    return file.status === "failed" ? [`${name} (the file failed to run)`] : [];
  });
  return {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + json.numTodoTests,
    failures,
  };
};

function vitest(project) {
  const file = join(tmp, `${project}.json`);
  run(
    project,
    "npx",
    [
      "vitest",
      "run",
      "--project",
      project,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${file}`,
    ],
    vitestCounts(file),
  );
}

function captured(label, cmd, args, parseText) {
  if (only.length && !only.includes(label)) return;
  console.log(`\n━━━ ${label}: ${[cmd, ...args].join(" ")}`);
  const started = Date.now();
  const out = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 1 << 28,
  });
  process.stdout.write(out.stdout ?? "");
  process.stderr.write(out.stderr ?? "");
  const counts = parseText(`${out.stdout}\n${out.stderr}`);
  if (out.status !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({
    label,
    ...counts,
    status: out.status ?? 1,
    seconds: (Date.now() - started) / 1000,
  });
}

run("types+lint", "npm", ["run", "--silent", "check"], null);
vitest("node");
vitest("workerd");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (existsSync(chromium)) vitest("browser");
else
  skip(
    "browser",
    `Chromium not found at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
  );
captured("deno", "npx", ["deno", "test", "-A", "--no-check", "test/deno/"], (text) => {
  const m = text.match(/(\d+) passed[^\n]*?\|\s*(\d+) failed(?:[^\n]*?(\d+) ignored)?/);
  return {
    passed: Number(m?.[1] ?? 0),
    failed: Number(m?.[2] ?? 0),
    skipped: Number(m?.[3] ?? 0),
  };
});
captured("bun", "npx", ["bun", "test", "test/bun/"], (text) => ({
  passed: Number(text.match(/^\s*(\d+) pass$/m)?.[1] ?? 0),
  failed: Number(text.match(/^\s*(\d+) fail$/m)?.[1] ?? 0),
  skipped: Number(text.match(/^\s*(\d+) skip$/m)?.[1] ?? 0),
}));

// The mutant kit ran inside the Vitest projects (each mutant against its named cases).
const kit = ["node", "workerd"]
  .map((project) => join(tmp, `${project}.json`))
  .filter((file) => existsSync(file))
  .flatMap((file) => mutantTests(JSON.parse(readFileSync(file, "utf8"))));
if (kit.length) printMutantSummary(kit);
rmSync(tmp, { recursive: true, force: true });
console.log("\n━━━ summary");
for (const r of results) {
  const tag = r.status === 0 && r.failed === 0 ? "ok  " : "FAIL";
  console.log(
    `${tag} ${r.label.padEnd(11)} ${String(r.passed).padStart(5)} passed  ${String(r.failed).padStart(3)} failed  ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(1)}s${r.note ? `  (${r.note})` : ""}`,
  );
}
const total = results.reduce(
  (a, r) => ({
    passed: a.passed + r.passed,
    failed: a.failed + r.failed,
    skipped: a.skipped + r.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
// The failed tests by name, last, so the tail of a CI log says what broke.
for (const r of results)
  for (const name of r.failures ?? []) console.log(`FAILED ${r.label}: ${name}`);
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(results.some((r) => r.status !== 0 || r.failed > 0) || results.length === 0 ? 1 : 0);
