/**
 * {@link migrateJournal}: a data folder whose registry is a file journal (`registry/`, written by
 * `botknobs serve` before it kept the registry in SQLite, or with `--store file`) moved into its
 * SQLite file on first start: every bot with every version kept, in one transaction, then the
 * old folders set aside under `pre-sqlite/` (never deleted).
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { FileRecordStore } from "../adapters/fs/index.ts";
import {
  openSqliteDatabase,
  type SqliteLock,
  SqliteRecordStore,
} from "../adapters/sqlite/index.ts";
import type { Page, PageOptions } from "../core/registry/page.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import type { RegistrationDict } from "../core/registry/registration.ts";
import { CliError, EXIT } from "./errors.ts";

/** What a migration moved. */
export interface JournalMigration {
  bots: number;
  versions: number;
  /** Where the old folders are now. */
  aside: string;
}

/** Every item of a paged listing. */
async function all<T>(list: (options: PageOptions) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<T> = await list(cursor === undefined ? {} : { cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return items;
}

/**
 * Copies every bot of `from` with its kept versions, oldest first, into the empty `to`; then
 * the current record's last access (a touch, which versions do not keep).
 */
async function copyRecords(
  from: RecordStore,
  to: RecordStore,
): Promise<{ bots: number; versions: number }> {
  let versions = 0;
  const bots = await all((o) => from.list(o));
  for (const current of bots) {
    const kept = (await all((o) => from.history(current.bot_id, o))).reverse();
    if (kept.at(-1)?.version !== current.version) kept.push(current);
    let previous: number | null = null;
    for (const record of kept) {
      if (!(await to.put(record as RegistrationDict, { expectedVersion: previous })))
        throw new Error(`bot '${current.bot_id}' version ${record.version} was not written`);
      previous = record.version;
      versions++;
    }
    await to.touch(current.bot_id, current.last_accessed_at, { version: current.version });
  }
  return { bots: bots.length, versions };
}

/** `pre-sqlite` in `root`, or a dated name beside it when that is taken. */
function asideFolder(root: string): string {
  const plain = join(root, "pre-sqlite");
  if (!existsSync(plain)) return plain;
  return join(root, `pre-sqlite-${new Date().toISOString().replace(/[:.]/g, "-")}`);
}

/**
 * Moves the file journal under `<root>/registry` into the SQLite file `db`, holding `lock` (two
 * processes starting on one old folder: one migrates, the other waits and finds it done). The
 * records are written in one transaction with a mark of it (a process killed meanwhile leaves
 * the file as it was, and the next start migrates again); then `registry/` and `events/` are
 * moved to `pre-sqlite/`. `null` when there was nothing to move. A SQLite registry that already
 * holds bots is not merged into: a `CliError` says what to do.
 * @example
 * const moved = await migrateJournal(root, join(root, "botknobs.db"), lock);
 */
export async function migrateJournal(
  root: string,
  db: string,
  lock: SqliteLock,
): Promise<JournalMigration | null> {
  const journal = join(root, "registry");
  return lock.run(
    async () => {
      if (!existsSync(journal)) return null; // another process migrated it meanwhile
      const database = await openSqliteDatabase(db);
      try {
        database.exec(
          "CREATE TABLE IF NOT EXISTS botknobs_migrated (source TEXT PRIMARY KEY NOT NULL, migrated_at TEXT NOT NULL, bots INTEGER NOT NULL, versions INTEGER NOT NULL)",
        );
        type Mark = { bots: number; versions: number };
        let [mark] = database
          .prepare("SELECT bots, versions FROM botknobs_migrated WHERE source = 'registry'")
          .all() as Mark[];
        if (mark === undefined) {
          const to = new SqliteRecordStore({ database });
          await to.initialize();
          if ((await to.list({ limit: 1 })).items.length > 0)
            throw new CliError(
              `${root} has a file journal (registry/) and a SQLite registry (botknobs.db) with bots: move one of them away, or serve the journal with --store file after moving botknobs.db aside`,
              EXIT.FAILED,
            );
          const from = new FileRecordStore({ path: journal });
          database.exec("BEGIN IMMEDIATE");
          try {
            mark = await copyRecords(from, to);
            database
              .prepare("INSERT INTO botknobs_migrated VALUES ('registry', ?, ?, ?)")
              .run(new Date().toISOString(), mark.bots, mark.versions);
            database.exec("COMMIT");
          } catch (error) {
            database.exec("ROLLBACK");
            throw error;
          } finally {
            await from.close();
          }
        }
        const aside = asideFolder(root);
        await mkdir(aside, { recursive: true });
        await rename(journal, join(aside, "registry"));
        if (existsSync(join(root, "events")))
          await rename(join(root, "events"), join(aside, "events"));
        return { ...mark, aside };
      } finally {
        database.close();
      }
    },
    { timeoutMs: 600_000 },
  );
}
