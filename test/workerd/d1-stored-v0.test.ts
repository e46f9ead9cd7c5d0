// A D1 database written by the D1RecordStore of before the record envelope (test/fixtures/v0-d1.json:
// its rows under migrations/0001 only, and what that code read back) opens unchanged once
// 0002 is applied: every bot, version and history read exactly as before, then writes go on
// with the envelope. The rows are loaded into a database of its own (FIXTURE_DB) that only this
// test migrates, step by step, as `wrangler d1 migrations apply` does on a deployed database.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { D1RecordStore } from "../../src/adapters/d1/index.ts";
import { StoreRegistryBackend } from "../../src/index.ts";
import fixture from "../fixtures/v0-d1.json";
import { readContents, type StoreContents } from "../fixtures/v0-scenario.ts";

const db = env.FIXTURE_DB;
type Row = Record<string, string | number>;
const rows = fixture.rows as Record<string, Row[]>;

async function tableRows(table: string): Promise<Row[]> {
  return (await db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all<Row>()).results;
}

/** Inserts rows as they were: records (their triggers add history), then history as dumped, then the revision. */
async function load(): Promise<void> {
  const insert = async (table: string, row: Row, verb = "INSERT") => {
    const columns = Object.keys(row);
    await db
      .prepare(
        `${verb} INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      )
      .bind(...columns.map((c) => row[c]))
      .run();
  };
  for (const row of rows.botknobs_records ?? []) await insert("botknobs_records", row);
  for (const row of rows.botknobs_history ?? [])
    await insert("botknobs_history", row, "INSERT OR REPLACE");
  const revision = rows.botknobs_revision?.[0] as Row;
  await db
    .prepare("UPDATE botknobs_revision SET epoch = ?, changes = ? WHERE id = 1")
    .bind(revision.epoch, revision.changes)
    .run();
}

describe("a D1 database of before the record envelope", () => {
  beforeAll(async () => {
    for (const table of [
      "botknobs_records",
      "botknobs_history",
      "botknobs_revision",
      "d1_migrations",
    ])
      await db.prepare(`DROP TABLE IF EXISTS ${table}`).run();
    await applyD1Migrations(
      db,
      env.TEST_MIGRATIONS.filter((m) => m.name.startsWith("0001_")),
    );
    await load();
  });

  it("loads under 0001 as dumped; the store refuses it until 0002 is applied, naming the file", async () => {
    for (const table of Object.keys(rows)) expect(await tableRows(table)).toEqual(rows[table]);
    const error = await new D1RecordStore({ db }).initialize().catch((e: unknown) => e);
    expect((error as Error).message).toContain("migrations/0002_record_ext.sql");
  });

  it("after 0002 every bot, version and history reads exactly as the old code read them", async () => {
    await applyD1Migrations(db, env.TEST_MIGRATIONS);
    const store = new D1RecordStore({ db });
    await store.initialize();
    const expected = fixture.expected as unknown as StoreContents;
    expect(await readContents(store)).toEqual(expected);
    // No ext key at all on old rows (not even null), so the wire form is unchanged.
    for (const r of (await readContents(store)).list) expect("ext" in r).toBe(false);
  });

  it("then writes go on: a new version with its write context; old versions untouched", async () => {
    const store = new D1RecordStore({ db });
    const backend = new StoreRegistryBackend({ store });
    const expected = fixture.expected as unknown as StoreContents;
    const before = expected.bots.alpha;
    const next = await backend.update(
      "alpha",
      { model: "c" },
      { actor: "ops", reason: "after 0002" },
    );
    expect(next.version).toBe((before?.get?.version as number) + 1);
    expect((await backend.getVersion("alpha", next.version))?.writeContext).toEqual({
      actor: "ops",
      reason: "after 0002",
    });
    const after = await readContents(store);
    expect(after.bots.alpha?.history.slice(1)).toEqual(before?.history);
    expect(after.bots.beta).toEqual(expected.bots.beta);
    expect(after.revision).not.toBe(expected.revision);
    const active = await store.list({ where: { status: "active" } });
    expect(active.items.map((r) => r.bot_id)).toEqual(
      after.list.filter((r) => r.status === "active").map((r) => r.bot_id),
    );
  });
});
