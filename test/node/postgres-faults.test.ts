// PostgreSQL under faults and bad input, against the real server: two writers on one row (one
// wins, the other gets ConflictError — beside a store without the version check, which the same
// race catches), table names that would be SQL (refused before any statement, the database
// untouched), and a server that is not there (an AdapterError naming postgres).
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryBackend, nodeRecordStores } from "../../src/adapters/node/node-factories.ts";
import { PostgresRecordStore } from "../../src/adapters/postgres/index.ts";
import type { PostgresSqlLike } from "../../src/adapters/postgres/types.ts";
import {
  AdapterError,
  ConflictError,
  DataKnobsRegistryAdapter,
  StoreRegistryBackend,
  ValidationError,
} from "../../src/index.ts";
import { admin, PG_URL, postgresMissing, randomName, withPostgres } from "../fixtures/postgres.ts";

const h = { describe, it, expect, beforeEach: () => {}, afterEach: () => {} };
const missing = await postgresMissing();

/** The application name of the racing writers' connections. */
const WRITERS = randomName("bk_writer");

/**
 * A client of the racing writers whose statements pass through `rewrite` first (the identity: the
 * store as it is; another: a store with one statement altered).
 */
function writerClient(rewrite: (query: string) => string = (q) => q): PostgresSqlLike {
  const sql = postgres(PG_URL, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: WRITERS },
  });
  return {
    unsafe: (query, params, options) =>
      sql.unsafe(rewrite(query), params as never[], options) as never,
    end: (options) => sql.end(options),
  };
}

withPostgres(h, missing, "PostgreSQL faults (node)", () => {
  const schema = randomName();
  const table = `${schema}.bot_configs`;
  const holder = postgres(PG_URL, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    await admin((sql) =>
      sql.unsafe(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".canary (n int)`),
    );
  });
  afterAll(async () => {
    await holder.end();
    await admin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  /**
   * Two backends (each its own store and connections, their statements through `rewrite`)
   * update version 1 of `bot` with
   * `ifVersion: 1` at the same moment: a third connection holds the row locked until both
   * UPDATEs wait for it. What each got, and the versions kept.
   */
  async function race(bot: string, rewrite?: (query: string) => string) {
    const clients = [writerClient(rewrite), writerClient(rewrite)];
    const [a, b] = clients.map(
      (sql) => new StoreRegistryBackend({ store: new PostgresRecordStore({ table, sql }) }),
    );
    await a?.initialize();
    await b?.initialize();
    await a?.register(bot, { by: "setup" });
    const results = await holder.begin(async (tx) => {
      await tx.unsafe(`SELECT 1 FROM "${schema}".bot_configs WHERE bot_id = $1 FOR UPDATE`, [bot]);
      const writes = [a, b].map((backend, i) =>
        (backend as StoreRegistryBackend).update(bot, { by: i }, { ifVersion: 1 }).then(
          (r) => `version ${r.version}`,
          (e: Error) => e,
        ),
      );
      // Both UPDATEs are queued behind the lock before it is let go.
      for (let waited = 0; ; waited += 10) {
        const [row] = await tx.unsafe(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [WRITERS],
        );
        if ((row as unknown as { n: number }).n >= 2) break;
        if (waited > 10_000) throw new Error("the two writers never waited on the row");
        await new Promise((r) => setTimeout(r, 10));
      }
      return writes;
    });
    const outcomes = await Promise.all(results);
    const history = (await (a as StoreRegistryBackend).history(bot)).items.map((r) => r.version);
    const kept = await (a as StoreRegistryBackend).getConfig(bot);
    await a?.close();
    await b?.close();
    for (const sql of clients) await sql.end({ timeout: 5 });
    return { outcomes, history, kept };
  }

  describe("two writers on one PostgreSQL row", () => {
    it("one wins, the other gets ConflictError; history keeps version 2 once", async () => {
      const { outcomes, history, kept } = await race("contended");
      expect(outcomes.filter((o) => o === "version 2")).toHaveLength(1);
      // The version kept is the winner's write.
      expect(kept).toEqual({ by: outcomes.indexOf("version 2") });
      const lost = outcomes.find((o) => o !== "version 2");
      expect(lost).toBeInstanceOf(ConflictError);
      expect((lost as Error).message).toContain("contended");
      expect(history).toEqual([2, 1]);
    });

    it("the same race against a store whose UPDATE has no version check lets both win: the test is not blind", async () => {
      const { outcomes, history } = await race("unchecked", (q) =>
        q.replace("AND version = $11", "AND $11::bigint IS NOT NULL"),
      );
      // Both report version 2: the second silently wrote over the first (a lost update), which
      // the case above would fail on (exactly one may win).
      expect(outcomes).toEqual(["version 2", "version 2"]);
      expect(history).toEqual([2, 1]);
    });
  });

  describe("table names that would be SQL", () => {
    const hostile = [
      'x"; DROP TABLE canary; --',
      "bot configs",
      "it's",
      `${schema}.canary"; DROP TABLE "${schema}".canary; --`,
      "a".repeat(200),
      "a".repeat(49),
      "a.b.c",
      "",
      "1st",
      "bots;",
    ];

    it("each is a ValidationError naming table, from the store, createRegistryBackend and DataKnobsRegistryAdapter; the database is untouched", async () => {
      const before = await admin((sql) =>
        sql.unsafe(
          "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = $1::regnamespace",
          [schema],
        ),
      );
      for (const name of hostile) {
        const attempts = [
          () => new PostgresRecordStore({ connection_string: PG_URL, table: name }),
          () => createRegistryBackend("postgres", { connection_string: PG_URL, table: name }),
          () =>
            new DataKnobsRegistryAdapter({
              backend_type: "postgres",
              backend_config: { connection_string: PG_URL, table: name },
              recordStores: nodeRecordStores,
            }),
        ];
        for (const attempt of attempts) {
          let error: unknown;
          try {
            attempt();
          } catch (e) {
            error = e;
          }
          expect([name, error instanceof ValidationError]).toEqual([name, true]);
          expect((error as ValidationError).message).toContain("table");
        }
      }
      const after = await admin((sql) =>
        sql.unsafe(
          "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = $1::regnamespace",
          [schema],
        ),
      );
      expect(after).toEqual(before);
      const canary = await admin((sql) =>
        sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".canary`),
      );
      expect(canary).toEqual([{ n: 0 }]);
    });

    it("a name that is a keyword (order) is a name: quoted, it works", async () => {
      const store = new PostgresRecordStore({
        connection_string: PG_URL,
        table: `${schema}.order`,
      });
      const backend = new StoreRegistryBackend({ store });
      await backend.initialize();
      await backend.register("kw", { v: 1 });
      expect(await backend.getConfig("kw")).toEqual({ v: 1 });
      await backend.close();
      const tables = await admin((sql) =>
        sql.unsafe(
          "SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' AND relname LIKE 'order%' ORDER BY relname",
          [schema],
        ),
      );
      expect(tables.map((t) => (t as { relname: string }).relname)).toEqual([
        "order",
        "order_history",
        "order_migrations",
        "order_revision",
      ]);
    });
  });

  describe("a server that does not answer", () => {
    it("initialize is an AdapterError naming postgres and what failed", async () => {
      const store = new PostgresRecordStore({ host: "127.0.0.1", port: 1, table: "unreachable" });
      const error = await store.initialize().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).adapter).toBe("postgres");
      expect((error as Error).message).toMatch(/ECONNREFUSED|connect/);
      await store.close();
    });
  });
});
