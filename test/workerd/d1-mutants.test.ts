// The suites catch a broken D1 store: the real D1RecordStore with one statement altered (its SQL
// rewritten on the way to D1) must fail the named record-store cases. A mutant that survives
// fails this test.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { D1RecordStore } from "../../src/adapters/cloudflare/index.ts";
import type { D1DatabaseLike } from "../../src/adapters/d1/types.ts";
import { recordStoreSuite, type TestHarness } from "../../src/testing/index.ts";
import { caseIds, recordingHarness } from "../mutants/harness.ts";

beforeAll(async () => {
  await applyD1Migrations(env.REGISTRY_DB, env.TEST_MIGRATIONS);
});

/** The D1 binding with `rewrite` applied to every statement's SQL. */
const rewritten = (rewrite: (sql: string) => string): D1DatabaseLike => ({
  prepare: (sql) => env.REGISTRY_DB.prepare(rewrite(sql)),
});

const MUTANTS: { name: string; rewrite: (sql: string) => string; caughtBy: string[] }[] = [
  {
    name: "put without the version check",
    rewrite: (sql) =>
      sql.startsWith(`UPDATE "botknobs_records" SET version`)
        ? sql.replace("AND version = ?", "AND ? IS NOT NULL")
        : sql,
    caughtBy: ["put.compare-and-set", "concurrency.cas"],
  },
  {
    name: "touch without the version check",
    rewrite: (sql) =>
      sql.startsWith(`UPDATE "botknobs_records" SET last_accessed_at`)
        ? sql.replace("AND version = ?", "AND ? IS NOT NULL")
        : sql,
    caughtBy: ["touch.needs-version"],
  },
  {
    name: "a page starts at its cursor instead of after it",
    rewrite: (sql) => sql.replace("bot_id > ?", "bot_id >= ?"),
    caughtBy: ["list.pages", "list.walk-under-writes"],
  },
  {
    name: "a listing that binds the status but does not filter on it",
    rewrite: (sql) => (sql.startsWith("SELECT") ? sql.replace("status = ?", "? IS NOT NULL") : sql),
    caughtBy: ["list.where", "list.where-under-writes"],
  },
  {
    name: "an update that drops ext (the new version's labels and write context)",
    rewrite: (sql) =>
      sql.startsWith(`UPDATE "botknobs_records" SET version`)
        ? sql.replace("ext = ?", "ext = CASE WHEN ? IS NULL THEN NULL ELSE NULL END")
        : sql,
    caughtBy: ["ext.roundtrip", "ext.per-version"],
  },
];

describe("mutant D1 record stores (workerd)", () => {
  for (const mutant of MUTANTS) {
    it(`${mutant.name} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      const h = recordingHarness(expect as unknown as TestHarness["expect"]);
      recordStoreSuite(h, {
        name: mutant.name,
        create: () => new D1RecordStore({ db: rewritten(mutant.rewrite) }),
      });
      const results = await h.run();
      expect(caseIds(results, "failed")).toEqual(expect.arrayContaining(mutant.caughtBy));
      // The rest of the suite still runs against the mutant (it is the real store otherwise).
      expect(caseIds(results, "passed").length).toBeGreaterThan(15);
    }, 120_000);
  }
});
