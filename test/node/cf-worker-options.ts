/**
 * The Worker (worker/index.ts) under Miniflare in Node tests and benches, with the bindings of
 * wrangler.toml: the EventHub, the registry in D1 and the knowledge in R2. Workers given the same
 * storage names share them (two isolates, one database and bucket), and `migrate` applies
 * migrations/ to the database as `wrangler d1 migrations apply` does.
 */

import { dirname, join } from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-plugin";
import type { Miniflare, MiniflareOptions, WorkerOptions } from "miniflare";

/** The compatibility settings of wrangler.toml. */
export const COMMON: { modules: true; compatibilityDate: string } = {
  modules: true,
  compatibilityDate: "2026-04-01",
};

/**
 * The storage bindings of the Worker: D1 `REGISTRY_DB` and R2 `KNOWLEDGE`, shared by every
 * worker given them (Miniflare keys storage by the database and bucket name).
 */
export const STORAGE: Pick<WorkerOptions, "d1Databases" | "r2Buckets"> = {
  d1Databases: { REGISTRY_DB: "botknobs" },
  r2Buckets: { KNOWLEDGE: "botknobs-knowledge" },
};

/**
 * The variables `npm run dev` sets on a loopback address: `BOTKNOBS_PUBLIC` lets the tests write
 * without tokens (a Worker without either serves reads only).
 */
export const DEV_VARS: Pick<WorkerOptions, "bindings"> = { bindings: { BOTKNOBS_PUBLIC: "1" } };

/**
 * The Durable Objects of the Worker: hosted by this worker, or (`host`) bound to those of
 * another worker, as a second isolate of the same deployment is.
 */
export function durableObjects(host?: string): WorkerOptions["durableObjects"] {
  const bind = (className: string) => ({
    className,
    useSQLite: true,
    ...(host ? { scriptName: host } : {}),
  });
  return { EVENTS: bind("EventHub"), INGEST: bind("IngestionRunner") };
}

/**
 * Applies migrations/ not applied yet to the D1 database that `worker` (default: the only one)
 * binds as `REGISTRY_DB`, tracked in `d1_migrations` as wrangler does (0002 alters tables: it
 * must run once).
 */
export async function migrate(mf: Miniflare, worker?: string): Promise<void> {
  const db = await mf.getD1Database("REGISTRY_DB", worker);
  await db
    .prepare(
      "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .run();
  const applied = new Set(
    (await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>()).results.map(
      (r) => r.name,
    ),
  );
  for (const migration of await readD1Migrations("./migrations")) {
    if (applied.has(migration.name)) continue;
    await db.batch([
      ...migration.queries.map((q) => db.prepare(q)),
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(migration.name),
    ]);
  }
}

/**
 * The options of one Miniflare running the bundled Worker `script` with its state persisted under
 * `root` (D1, R2 and Durable Objects), so that a runtime started again over `root` finds it.
 */
export function persistedWorker(script: string, root: string): MiniflareOptions {
  return {
    ...COMMON,
    scriptPath: script,
    modulesRoot: dirname(script),
    durableObjects: durableObjects(),
    ...STORAGE,
    ...DEV_VARS,
    d1Persist: join(root, "d1"),
    r2Persist: join(root, "r2"),
    durableObjectsPersist: join(root, "do"),
  };
}
