/**
 * `npm run repair -- <data folder>`: repairs the registry journal of a data folder (what
 * `npm start` serves; or a registry folder itself) with `repairJournal`: keeps every line that
 * parses and fits, sets the others aside in a file beside the journal, and says what it did.
 * It takes the registry's lock, so running servers pause their writes meanwhile.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repairJournal } from "../src/adapters/fs/index.ts";

const arg = process.argv[2];
if (arg === undefined) {
  console.error(
    "usage: npm run repair -- <data folder>   (the folder npm start serves, e.g. ./data)",
  );
  process.exit(2);
}
const folder = resolve(arg);
const registry = existsSync(join(folder, "registry", "registry.jsonl"))
  ? join(folder, "registry")
  : folder;
if (!existsSync(join(registry, "registry.jsonl"))) {
  console.error(
    `no registry journal in ${folder} (looked for registry/registry.jsonl and registry.jsonl)`,
  );
  process.exit(2);
}
const report = await repairJournal(registry);
if (report.setAside === null) {
  console.log(
    `nothing to repair: every line of ${report.journal} is good (kept ${report.kept} line(s))`,
  );
} else {
  console.log(`repaired ${report.journal}: kept ${report.kept} line(s)`);
  console.log(`set aside ${report.dropped.length} line(s) in ${report.setAside}`);
  for (const { line, reason } of report.dropped) console.log(`  line ${line}: ${reason}`);
}
