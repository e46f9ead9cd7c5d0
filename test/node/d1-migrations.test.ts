// D1's migrations/*.sql are what src/core/registry/sqlite-migrations.ts renders for D1's tables:
// one schema for D1 and SQLite, the files written by `npx tsx scripts/d1-migrations.ts`.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RECORD_TABLES } from "../../src/core/registry/sql-tables.ts";
import { sqliteRecordMigrations } from "../../src/core/registry/sqlite-migrations.ts";

const dir = resolve(import.meta.dirname, "../../migrations");

describe("D1 migrations", () => {
  it("migrations/ holds exactly the rendered migrations, byte for byte (else run npx tsx scripts/d1-migrations.ts)", () => {
    const rendered = sqliteRecordMigrations(DEFAULT_RECORD_TABLES);
    expect(readdirSync(dir).sort()).toEqual(rendered.map((m) => `${m.name}.sql`));
    for (const m of rendered) expect(readFileSync(join(dir, `${m.name}.sql`), "utf8")).toBe(m.sql);
  });
});
