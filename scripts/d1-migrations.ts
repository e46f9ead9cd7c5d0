/**
 * `npx tsx scripts/d1-migrations.ts`: writes D1's `migrations/*.sql` from the registry schema in
 * src/core/registry/sqlite-migrations.ts (the one source; SqliteRecordStore applies the same).
 * `--check` writes nothing and exits 1 when a file is not what the source renders.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_RECORD_TABLES } from "../src/core/registry/sql-tables.ts";
import { sqliteRecordMigrations } from "../src/core/registry/sqlite-migrations.ts";

const dir = resolve(import.meta.dirname, "../migrations");
const check = process.argv.includes("--check");
let stale = 0;
for (const { name, sql } of sqliteRecordMigrations(DEFAULT_RECORD_TABLES)) {
  const file = join(dir, `${name}.sql`);
  if (!check) writeFileSync(file, sql);
  else if (readFileSync(file, "utf8") !== sql) {
    console.error(`${file} is not what src/core/registry/sqlite-migrations.ts renders`);
    stale++;
  }
}
if (stale > 0) process.exit(1);
