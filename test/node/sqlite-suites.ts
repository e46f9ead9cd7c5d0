/**
 * Suites of `botknobs/sqlite`: the record-store and registry suites (through `conformance()`)
 * — and the search-index suite (sqlite-search-suites.ts) —
 * over a SQLite file, with a second instance over the same file (`reopen`) and a writer killed
 * mid-transaction (`tear`: a child process of this runtime, kill -9ed holding an uncommitted
 * rewrite); the event-bus suite over `SqliteEventBus` (its peer a second bus on the file, as
 * another process opens it); and the blob-store suite over an `FsBlobStore` whose lock is a
 * `SqliteLock` (what `npm start` runs on SQLite) — on Node (`better-sqlite3`), Bun
 * (`bun:sqlite`) and Deno (`node:sqlite`).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FsBlobStore } from "../../src/adapters/fs/index.ts";
import { createRegistryBackend, nodeRecordStores } from "../../src/adapters/node/node-factories.ts";
import {
  openSqliteDatabase,
  runtimeSqliteDriver,
  type SqliteDatabaseLike,
  SqliteEventBus,
  SqliteLock,
  SqliteRecordStore,
} from "../../src/adapters/sqlite/index.ts";
import { quoteName, recordTableNames } from "../../src/core/registry/sql-tables.ts";
import { sqliteRecordMigrations } from "../../src/core/registry/sqlite-migrations.ts";
import { DataKnobsRegistryAdapter, type RecordStore } from "../../src/index.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { recordOf } from "../fixtures/records.ts";
import { killHard, startWriter, untilLine } from "../fixtures/sqlite-children.ts";
import { runSqliteSearchSuites } from "./sqlite-search-suites.ts";

/** The store's file and table, by store. */
const files = new WeakMap<object, { dir: string; path: string; table: string | undefined }>();

/** A store of `Store` over `<dir>/registry.db`, remembered with it. */
function over(
  Store: typeof SqliteRecordStore,
  dir: string,
  table: string | undefined,
): SqliteRecordStore {
  const path = join(dir, "registry.db");
  const store = new Store({ path, ...(table ? { table } : {}) });
  files.set(store, { dir, path, table });
  return store;
}

/**
 * One connection per folder, opened by the test and given to every `reopen`ed store of the
 * folder (a store must never close a database it was given); closed with the folder.
 */
const given = new Map<string, Promise<SqliteDatabaseLike>>();
function givenDatabase(dir: string): Promise<SqliteDatabaseLike> {
  const db = given.get(dir) ?? openSqliteDatabase(join(dir, "registry.db"));
  given.set(dir, db);
  return db;
}

/**
 * A store of `Store` over a new file in `<dir>/older/` that has only the first of the store's
 * migrations applied, as an older release left it.
 */
async function olderOver(
  Store: typeof SqliteRecordStore,
  dir: string,
  table: string | undefined,
): Promise<SqliteRecordStore> {
  const older = join(dir, "older");
  mkdirSync(older, { recursive: true });
  const names = recordTableNames(table);
  const [first] = sqliteRecordMigrations(names);
  const db = await openSqliteDatabase(join(older, "registry.db"));
  const tracking = quoteName(`${names.records}_migrations`);
  db.exec(`CREATE TABLE ${tracking} (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)`);
  db.exec(first?.sql as string);
  db.prepare(`INSERT INTO ${tracking} (name, applied_at) VALUES (?, ?)`).run(
    first?.name,
    new Date().toISOString(),
  );
  db.close();
  return over(Store, older, table);
}

/** A writer of this runtime killed holding an uncommitted rewrite of "x" to version 3. */
async function tear(store: RecordStore): Promise<void> {
  const { path, table } = files.get(store) as { path: string; table: string | undefined };
  const child = startWriter(["hold", path, table ?? "-", "x", "3"]);
  await untilLine(child, "ready");
  await killHard(child);
}

/**
 * `conformance()` over SQLite files: each store in a new folder, with D1's tables (no `table`)
 * or its own (`table`); `Store` is the real class unless given (the mutant kit gives patched
 * ones: test/mutants/adapter-mutants.test.ts).
 */
export function sqliteConformance(
  h: TestHarness,
  name: string,
  table?: string,
  Store: typeof SqliteRecordStore = SqliteRecordStore,
): void {
  conformance(h, {
    name,
    recordStore: {
      capabilities: { atomicWrites: true, filters: ["status"] },
      create: () => over(Store, mkdtempSync(join(tmpdir(), "botknobs-sqlite-")), table),
      // Another process's store over the file, on a connection the test opened and gives it.
      reopen: async (store: RecordStore) => {
        const { dir } = files.get(store) as { dir: string };
        const again = new Store({
          database: await givenDatabase(dir),
          ...(table ? { table } : {}),
        });
        files.set(again, files.get(store) as { dir: string; path: string; table: undefined });
        return again;
      },
      older: (store: RecordStore) =>
        olderOver(Store, (files.get(store) as { dir: string }).dir, table),
      tear,
      destroy: async (store: RecordStore) => {
        await store.close();
        const { dir } = files.get(store) as { dir: string };
        const db = given.get(dir);
        given.delete(dir);
        if (db) (await db).close();
        rmSync(dir, { recursive: true, force: true });
      },
      registry: { persistsOnClose: true },
    },
  });
}

/** The bus and blob-store suites of what `npm start` runs on SQLite (each case's files removed after it). */
function embeddedConformance(h: TestHarness, name: string): void {
  const dir = join(tmpdir(), `botknobs-sqlite-bus-${crypto.randomUUID()}`);
  h.beforeEach(() => {
    mkdirSync(dir, { recursive: true });
  });
  h.afterEach(() => rmSync(dir, { recursive: true, force: true }));
  let file = "";
  const roots = new WeakMap<object, { root: string; lock: SqliteLock }>();
  const blobs = (root: string, lockFile: string): FsBlobStore => {
    const lock = new SqliteLock({ path: lockFile });
    const store = new FsBlobStore({ root, lock: (_, fn) => lock.run(fn) });
    roots.set(store, { root, lock });
    return store;
  };
  conformance(h, {
    name,
    eventBus: {
      create: () => {
        file = join(dir, `${crypto.randomUUID()}.db`);
        return new SqliteEventBus({ path: file, pollMs: 10 });
      },
      createPeer: () => new SqliteEventBus({ path: file, pollMs: 10 }),
    },
    blobStore: {
      create: () => {
        const root = join(dir, crypto.randomUUID());
        return blobs(root, `${root}.locks.db`);
      },
      // Another process's store over the same folder and lock file.
      reopen: (store) => {
        const { root } = roots.get(store) as { root: string };
        return blobs(root, `${root}.locks.db`);
      },
      destroy: async (store) => {
        const { root, lock } = roots.get(store) as { root: string; lock: SqliteLock };
        await lock.close();
        rmSync(root, { recursive: true, force: true });
      },
      capabilities: { contentTypes: false, maxNameBytes: 255 },
    },
  });
}

export function runSqliteSuites(h: TestHarness, runtime: string): void {
  sqliteConformance(h, `sqlite, ${runtimeSqliteDriver()} (${runtime})`);
  sqliteConformance(h, `sqlite, table "bot_configs" (${runtime})`, "bot_configs");
  embeddedConformance(h, `sqlite bus and lock, ${runtimeSqliteDriver()} (${runtime})`);

  h.describe(`SqliteLock on ${runtime}`, () => {
    h.it(
      "held by another process, it is refused after the wait; that process killed with -9, it is free at once (no lease to run out)",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "botknobs-sqlite-lock-"));
        const path = join(dir, "locks.db");
        const child = startWriter(["lock", path, "-"]);
        const lock = new SqliteLock({ path });
        try {
          await untilLine(child, "ready");
          let error: unknown;
          await lock
            .run(async () => {}, { timeoutMs: 300 })
            .catch((e: unknown) => {
              error = e;
            });
          h.expect((error as Error)?.name).toBe("AdapterError");
          h.expect((error as Error).message).toContain("still held by another process");
          await killHard(child);
          // Well under the 10 s lease of a lock file whose holder died.
          h.expect(await lock.run(async () => "taken", { timeoutMs: 5000 })).toBe("taken");
        } finally {
          await killHard(child);
          await lock.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
  runSqliteSearchSuites(h, runtime);

  h.describe(`SqliteRecordStore on ${runtime}`, () => {
    h.it(
      "a table name with quotes, spaces, a dot or 200 characters is a ValidationError naming table; a keyword is a name",
      async () => {
        for (const table of [
          'x"; DROP TABLE y; --',
          "bot configs",
          "it's",
          "main.t",
          "a".repeat(200),
          "",
        ]) {
          let error: unknown;
          try {
            createRegistryBackend("sqlite", { path: ":memory:", table });
          } catch (e) {
            error = e;
          }
          h.expect([table, (error as Error)?.name]).toEqual([table, "ValidationError"]);
          h.expect((error as Error).message).toContain("table");
        }
        const store = new SqliteRecordStore({ path: ":memory:", table: "order" });
        await store.initialize();
        h.expect(await store.put(recordOf("k", 1), { expectedVersion: null })).toBe(true);
        h.expect((await store.history("k")).items.map((r) => r.version)).toEqual([1]);
        await store.close();
      },
    );
    h.it(
      'createRegistryBackend("sqlite", { path, table }) of botknobs/node keeps the registry in that file and table',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "botknobs-sqlite-"));
        try {
          const path = join(dir, "bots.db");
          const first = createRegistryBackend("sqlite", {
            path,
            table: "bot_configs",
          });
          await first.initialize();
          await first.register("kept", { v: 1 });
          await first.update("kept", { v: 2 });
          await first.close();
          const store = new SqliteRecordStore({ path, table: "bot_configs" });
          await store.initialize();
          h.expect((await store.get("kept"))?.version).toBe(2);
          h.expect((await store.history("kept")).items.map((r) => r.version)).toEqual([2, 1]);
          // The seed's adapter names the same store type.
          const adapter = new DataKnobsRegistryAdapter({
            backend_type: "sqlite",
            backend_config: { path, table: "bot_configs" },
            recordStores: nodeRecordStores,
          });
          await adapter.initialize();
          h.expect(await adapter.getConfig("kept")).toEqual({ v: 2 });
          await adapter.close();
          // D1's tables in the same file are other tables: empty.
          const d1Tables = new SqliteRecordStore({ path });
          await d1Tables.initialize();
          h.expect(await d1Tables.get("kept")).toBeNull();
          await d1Tables.close();
          await store.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}
