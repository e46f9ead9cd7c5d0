/**
 * {@link openDataApp}: the API over a data folder as `botknobs serve` and the commands given
 * `--data` open it — the registry, its event log and the knowledge store's lock in SQLite
 * (`<data>/botknobs.db`, `<data>/botknobs-locks.db`) when a driver is there, else in files (the
 * journal under `registry/`, the event log under `events/`, lock files). `--store` or
 * `BOTKNOBS_STORE` chooses (`sqlite`, `file`; default `auto`). A folder written by the file
 * journal is migrated into SQLite on its first start on SQLite.
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import type { FileApp } from "../adapters/fs/index.ts";
import type { ServedAppOptions } from "../server/index.ts";
import { CliError, EXIT } from "./errors.ts";

/** Where the registry, its events and the knowledge store's lock are kept. */
export type StoreKind = "sqlite" | "file";

/** The registry's SQLite file in a data folder. */
export const SQLITE_FILE = "botknobs.db";

/** An opened data folder. */
export interface DataApp {
  app: FileApp;
  kind: StoreKind;
  /** What to tell the user first: why files were chosen, what was migrated (one line each). */
  notes: string[];
}

/**
 * Why SQLite cannot be used in this process, or null when it can: Bun and Deno have it built in;
 * on Node the optional peer `better-sqlite3` must be installed and load.
 */
async function sqliteMissing(): Promise<string | null> {
  const { runtimeSqliteDriver } = await import("../adapters/sqlite/index.ts");
  if (runtimeSqliteDriver() !== "better-sqlite3") return null;
  try {
    const { default: Database } = await import("better-sqlite3");
    new Database(":memory:").close();
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      return "better-sqlite3 is not installed (npm install better-sqlite3 for SQLite)";
    return `better-sqlite3 does not load (${message.split("\n")[0]}; npm rebuild better-sqlite3 for SQLite)`;
  }
}

/** `--store`, else BOTKNOBS_STORE, else `auto`; checked. */
function storeChoice(flag: string | undefined): StoreKind | "auto" {
  const given = flag ?? (process.env.BOTKNOBS_STORE || undefined) ?? "auto";
  if (given === "sqlite" || given === "file" || given === "auto") return given;
  throw new CliError(
    `invalid store ${JSON.stringify(given)} (--store or BOTKNOBS_STORE): sqlite, file or auto`,
    EXIT.USAGE,
  );
}

/**
 * Opens the folder `path` with `options`: on SQLite when `store` (the `--store` flag) or
 * BOTKNOBS_STORE says `sqlite`, or by default when the runtime has a driver; on files when it
 * says `file`, or by default without a driver (a note says why). A folder whose registry is in
 * SQLite already is never opened on files (it would serve an empty registry): a `CliError` says
 * what to install or move.
 * @example
 * const { app, notes } = await openDataApp("./data", { historyLimit: 100 }, undefined);
 */
export async function openDataApp(
  path: string,
  options: ServedAppOptions,
  store: string | undefined,
): Promise<DataApp> {
  const root = resolve(path);
  const db = join(root, SQLITE_FILE);
  const choice = storeChoice(store);
  const onSqlite = existsSync(db);
  const [fs, missing] = await Promise.all([
    import("../adapters/fs/index.ts"),
    choice === "file" ? null : sqliteMissing(),
  ]);
  if (onSqlite && (choice === "file" || missing)) {
    throw new CliError(
      choice === "file"
        ? `${root} keeps its registry in SQLite (${SQLITE_FILE}): on files it would serve an empty registry. Leave out --store file (or BOTKNOBS_STORE=file), or move ${SQLITE_FILE} aside`
        : `${root} keeps its registry in SQLite (${SQLITE_FILE}), and ${missing}`,
      EXIT.FAILED,
    );
  }
  if (choice === "sqlite" && missing)
    throw new CliError(
      `cannot keep the registry in SQLite (--store sqlite): ${missing}`,
      EXIT.FAILED,
    );
  if (choice === "file" || missing) {
    const notes = missing ? [`registry on files, not SQLite: ${missing}`] : [];
    return { app: fs.createFileApp({ ...options, path: root }), kind: "file", notes };
  }
  const sqlite = await import("../adapters/sqlite/index.ts");
  mkdirSync(root, { recursive: true });
  const lock = new sqlite.SqliteLock({ path: join(root, "botknobs-locks.db") });
  const notes: string[] = [];
  if (existsSync(join(root, "registry"))) {
    const { migrateJournal } = await import("./migrate-journal.ts");
    const moved = await migrateJournal(root, db, lock);
    if (moved)
      notes.push(
        `migrated the file journal into SQLite (${SQLITE_FILE}): ${moved.bots} bot(s), ${moved.versions} version(s); the old files are kept in ${moved.aside}`,
      );
  }
  const app = fs.createFileApp({
    ...options,
    path: root,
    records: new sqlite.SqliteRecordStore({ path: db }),
    eventBus: options.eventBus ?? new sqlite.SqliteEventBus({ path: db }),
    lock: (_file, fn) => lock.run(fn),
  });
  return { app, kind: "sqlite", notes };
}
