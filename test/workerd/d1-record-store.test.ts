// D1RecordStore inside workerd, over the D1 binding wrangler.toml gives (miniflare's D1) with
// migrations/ applied: the record-store and registry-backend suites, and D1's faults and limits.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { D1RecordStore } from "../../src/adapters/d1/index.ts";
import { AdapterError, ValidationError } from "../../src/core/errors.ts";
import { conformance } from "../../src/testing/index.ts";
import { recordOf } from "../fixtures/records.ts";
import { d1Port } from "./cloudflare-ports.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const db = env.REGISTRY_DB;

beforeAll(async () => {
  await applyD1Migrations(db, env.TEST_MIGRATIONS);
});

// `reopen` is another isolate's store over the database (cloudflare-ports.ts).
conformance(h, { name: "D1RecordStore (workerd)", recordStore: { ...d1Port() } });

describe("D1RecordStore faults and limits (workerd)", () => {
  const store = new D1RecordStore({ db });
  beforeEach(() => store.initialize());
  afterEach(async () => {
    await store.clear();
  });

  it("a D1 error is an AdapterError naming d1 and the statement", async () => {
    // A database without the schema: the statement D1 refused is in the message.
    const bare = new D1RecordStore({
      db: {
        prepare: (sql: string) => db.prepare(sql.replaceAll("botknobs_records", "no_such_table")),
      } as unknown as typeof db,
    });
    const error = await bare.get("a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).adapter).toBe("d1");
    expect((error as Error).message).toContain("SELECT bot_id, version");
    expect((error as Error).message).toContain("no_such_table");
  });

  it("initialize on a database without the migration says which file to apply", async () => {
    const unmigrated = new D1RecordStore({
      db: {
        prepare: (sql: string) => db.prepare(sql.replaceAll("botknobs_revision", "missing_rev")),
      } as unknown as typeof db,
    });
    const error = await unmigrated.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain("migrations/0001_registry.sql");
    expect((error as Error).message).toContain("migrations/0002_record_ext.sql");
  });

  it("a config larger than D1's 2 MB value limit is a ValidationError before the call", async () => {
    const big = { text: "x".repeat(2_000_001) };
    await expect(
      store.put(recordOf("big", 1, big), { expectedVersion: null }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await store.get("big")).toBeNull();
  });

  it("the compare-and-set is D1's: a stale version writes nothing, history keeps each version once", async () => {
    expect(await store.put(recordOf("cas", 1), { expectedVersion: null })).toBe(true);
    const racers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.put(recordOf("cas", 2, { racer: i }), { expectedVersion: 1 }),
      ),
    );
    expect(racers.filter(Boolean)).toHaveLength(1);
    const history = await store.history("cas");
    expect(history.items.map((r) => r.version)).toEqual([2, 1]);
    const rows = await db
      .prepare("SELECT count(*) AS n FROM botknobs_history WHERE bot_id = ?")
      .bind("cas")
      .first<{ n: number }>();
    expect(rows?.n).toBe(2);
  });

  it("lists 2,403 records in pages with cursors, each once; where status in full pages of 1,000, by the index", async () => {
    const ids = Array.from({ length: 2_403 }, (_, i) => `bot-${String(i).padStart(5, "0")}`);
    // Every fifth inactive: 1,922 active records, more than one page of them.
    const status = (i: number): string => (i % 5 === 0 ? "inactive" : "active");
    for (let i = 0; i < ids.length; i += 50)
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((id, j) =>
            store.put({ ...recordOf(id, 1), status: status(i + j) }, { expectedVersion: null }),
          ),
      );
    const walk = async (where?: { status: string }) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({
          ...(where ? { where } : {}),
          ...(cursor ? { cursor } : {}),
        });
        pages.push(page.items.map((r) => r.bot_id));
        cursor = page.cursor;
      } while (cursor);
      return pages;
    };
    expect((await walk()).flat()).toEqual(ids);
    const active = await walk({ status: "active" });
    expect(active.map((p) => p.length)).toEqual([1000, 922]);
    expect(active.flat()).toEqual(ids.filter((_, i) => status(i) === "active"));
    const plan = await db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT bot_id FROM botknobs_records WHERE status = ? AND bot_id > ? ORDER BY bot_id LIMIT ?",
      )
      .bind("active", "bot-00100", 1001)
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join(" ")).toContain("botknobs_records_status");
  });
});
