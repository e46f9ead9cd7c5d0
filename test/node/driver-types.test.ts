// The SQLite and PostgreSQL adapters take structural subsets of their drivers
// (src/adapters/{sqlite,postgres}/types.ts) so they need none of their types. These assignments
// fail `npm run check` (tsc) if better-sqlite3's or Postgres.js's own types stop fitting them; the
// case below checks live objects of both too.
import type BetterSqlite3 from "better-sqlite3";
import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { createPostgresClient } from "../../src/adapters/postgres/index.ts";
import type { PostgresSqlLike } from "../../src/adapters/postgres/types.ts";
import { openSqliteDatabase } from "../../src/adapters/sqlite/index.ts";
import type { SqliteDatabaseLike } from "../../src/adapters/sqlite/types.ts";

type Fits<Real, Like> = Real extends Like ? true : never;
const sqlite: Fits<BetterSqlite3.Database, SqliteDatabaseLike> = true;
const postgres: Fits<Sql, PostgresSqlLike> = true;

describe("driver types", () => {
  it("a live better-sqlite3 database and Postgres.js client have the calls the adapters make", async () => {
    expect([sqlite, postgres]).toEqual([true, true]);
    const db = await openSqliteDatabase(":memory:");
    for (const name of ["prepare", "exec", "close"])
      expect(typeof (db as never)[name]).toBe("function");
    db.close();
    // No connection is opened until a query runs.
    const sql = await createPostgresClient({ host: "127.0.0.1" });
    for (const name of ["unsafe", "end"]) expect(typeof (sql as never)[name]).toBe("function");
    await sql.end();
  });
});
