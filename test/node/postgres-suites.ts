/**
 * Suites of `botknobs/postgres` against a real PostgreSQL server: the record-store and registry
 * suites (through `conformance()`) — and the search-index suite (postgres-search-suites.ts) — with a second instance over the same tables (`reopen`) — on
 * Node, Bun and Deno. Each store works in a schema of its own (`bk_<random>.bot_configs`),
 * dropped with everything in it when the case ends.
 */

import { createRegistryBackend, nodeRecordStores } from "../../src/adapters/node/node-factories.ts";
import { PostgresRecordStore } from "../../src/adapters/postgres/index.ts";
import { DataKnobsRegistryAdapter, type RecordStore } from "../../src/index.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { admin, killWriter, PG_URL, randomName, withPostgres } from "../fixtures/postgres.ts";
import { runPostgresSearchSuites } from "./postgres-search-suites.ts";

const tables = new WeakMap<object, string>();

function over(table: string): PostgresRecordStore {
  const store = new PostgresRecordStore({ connection_string: PG_URL, table });
  tables.set(store, table);
  return store;
}

/** Drops the schema of `table` (`schema.name`) and all in it. */
const dropSchema = (table: string): Promise<unknown> =>
  admin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${table.split(".")[0]}" CASCADE`));

/**
 * Runs the suites when `missing` is null (the server answers); else a case that skips saying
 * what to install, or fails under BOTKNOBS_REQUIRE_SERVICES=1.
 */
export function runPostgresSuites(h: TestHarness, runtime: string, missing: string | null): void {
  withPostgres(h, missing, `PostgreSQL suites (${runtime})`, () => {
    conformance(h, {
      name: `postgres (${runtime})`,
      recordStore: {
        capabilities: { atomicWrites: true, filters: ["status"] },
        create: () => over(`${randomName()}.bot_configs`),
        reopen: (store: RecordStore) => over(tables.get(store) as string),
        // A writer's connection terminated by the server in the middle of its transaction.
        tear: async (store: RecordStore) => {
          const [schema, table] = (tables.get(store) as string).split(".");
          await killWriter(`"${schema}"."${table}"`, "x", 3);
        },
        destroy: async (store: RecordStore) => {
          await store.close();
          await dropSchema(tables.get(store) as string);
        },
        registry: { persistsOnClose: true },
      },
    });
    runPostgresSearchSuites(h, runtime);

    h.describe(`PostgresRecordStore on ${runtime}`, () => {
      h.it(
        'createRegistryBackend("postgres", { host, port, database, user, table }) of botknobs/node keeps the registry in that table',
        async () => {
          const url = new URL(PG_URL);
          const table = randomName();
          const config = {
            host: url.hostname,
            port: Number(url.port || 5432),
            database: url.pathname.slice(1),
            user: decodeURIComponent(url.username),
            table,
          };
          try {
            const first = createRegistryBackend("postgres", config);
            await first.initialize();
            await first.register("kept", { v: 1 });
            await first.update("kept", { v: 2 });
            await first.close();
            const rows = await admin((sql) =>
              sql.unsafe(
                `SELECT version FROM "${table}_history" WHERE bot_id = $1 ORDER BY version`,
                ["kept"],
              ),
            );
            h.expect([...rows].map((r) => Number((r as { version: string }).version))).toEqual([
              1, 2,
            ]);
            const again = createRegistryBackend("postgres", {
              connection_string: PG_URL,
              table,
            });
            await again.initialize();
            h.expect(await again.getConfig("kept")).toEqual({ v: 2 });
            await again.close();
            // The seed's adapter names the same store type.
            const adapter = new DataKnobsRegistryAdapter({
              backend_type: "postgres",
              backend_config: config,
              recordStores: nodeRecordStores,
            });
            await adapter.initialize();
            h.expect((await adapter.history("kept")).items.map((r) => r.version)).toEqual([2, 1]);
            await adapter.close();
          } finally {
            await admin((sql) =>
              sql.unsafe(
                `DROP TABLE IF EXISTS "${table}", "${table}_history", "${table}_revision", "${table}_migrations" CASCADE; ` +
                  `DROP FUNCTION IF EXISTS "${table}_kept"(), "${table}_removed"()`,
              ),
            );
          }
        },
      );
    });
  });
}
