/**
 * The registry's schema in SQLite's SQL, as numbered migrations: the one source of D1's
 * `migrations/*.sql` (written from here by `scripts/d1-migrations.ts`; a test checks they are in
 * step) and of the tables `SqliteRecordStore` creates on `initialize()`. The tables are named by
 * {@link RecordTableNames} (D1's are {@link DEFAULT_RECORD_TABLES}).
 * @module
 */
import { quoteName, type RecordTableNames } from "./sql-tables.ts";

/** One migration: its file name without `.sql`, and its statements. */
export interface SqlMigration {
  name: string;
  sql: string;
}

const HISTORY_COLUMNS =
  "bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config";

/**
 * The migrations of the registry's tables, in order: `0001_registry` (the tables, their
 * triggers, the revision row) and `0002_record_ext` (the `ext` column, the status index).
 * @example
 * for (const m of sqliteRecordMigrations(DEFAULT_RECORD_TABLES)) db.exec(m.sql);
 */
export function sqliteRecordMigrations(names: RecordTableNames): SqlMigration[] {
  const records = quoteName(names.records);
  const history = quoteName(names.history);
  const revision = quoteName(names.revision);
  const named = (what: string): string => quoteName(`${names.records}_${what}`);
  const keep = (columns: string, values: string): string =>
    `  INSERT INTO ${history} (${columns})\n  VALUES (${values});\n  UPDATE ${revision} SET changes = changes + 1 WHERE id = 1;`;
  const newRow = (columns: string): string =>
    columns
      .split(", ")
      .map((c) => `NEW.${c}`)
      .join(", ");
  const triggers = (columns: string): [string, string] => [
    `CREATE TRIGGER ${named("inserted")} AFTER INSERT ON ${records}\nBEGIN\n${keep(columns, newRow(columns))}\nEND;`,
    `CREATE TRIGGER ${named("versioned")} AFTER UPDATE OF version ON ${records}\nWHEN NEW.version <> OLD.version\nBEGIN\n${keep(columns, newRow(columns))}\nEND;`,
  ];
  const ext = `${HISTORY_COLUMNS}, ext`;
  const [inserted, versioned] = triggers(HISTORY_COLUMNS);
  const [insertedExt, versionedExt] = triggers(ext);
  return [
    {
      name: "0001_registry",
      sql: `-- The botknobs registry in SQLite: D1RecordStore (botknobs/d1) and SqliteRecordStore
-- (botknobs/sqlite). Written by scripts/d1-migrations.ts from src/core/registry/sqlite-migrations.ts.
-- Apply on D1 with \`wrangler d1 migrations apply <database>\` (migrations_dir = "migrations" in
-- wrangler.toml); SqliteRecordStore applies the same on initialize().
--
-- One row per bot holds its current version; ${names.history} keeps every version written
-- (the current one included). The triggers keep history and the revision counter in step with
-- each write inside the same statement, so a put, a delete or a clear is atomic on its own, and
-- any writer (a \`wrangler d1 execute\` by hand too) keeps the invariants.

CREATE TABLE IF NOT EXISTS ${records} (
  bot_id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  status TEXT NOT NULL,
  etag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed_at TEXT NOT NULL,
  metadata TEXT NOT NULL,
  config TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${history} (
  bot_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  etag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed_at TEXT NOT NULL,
  metadata TEXT NOT NULL,
  config TEXT NOT NULL,
  PRIMARY KEY (bot_id, version)
) WITHOUT ROWID;

-- revision() = epoch-changes: \`changes\` counts content-changing writes and never goes back; the
-- random epoch tells this database from another (or from one created again).
CREATE TABLE IF NOT EXISTS ${revision} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL,
  changes INTEGER NOT NULL
);
INSERT OR IGNORE INTO ${revision} (id, epoch, changes) VALUES (1, lower(hex(randomblob(8))), 0);

${inserted.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")}

-- A touch sets last_accessed_at only: it fires nothing, adds no history, moves no revision.
${versioned.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")}

CREATE TRIGGER IF NOT EXISTS ${named("deleted")} AFTER DELETE ON ${records}
BEGIN
  DELETE FROM ${history} WHERE bot_id = OLD.bot_id;
  UPDATE ${revision} SET changes = changes + 1 WHERE id = 1;
END;
`,
    },
    {
      name: "0002_record_ext",
      sql: `-- The record envelope: \`ext\`, the extensible part of a record, as one JSON text column (NULL:
-- none, as in every row written before it) on the current row and on each history row, so
-- features (labels, write context, …) add keys, not columns. Rows written before this migration
-- read exactly as they did.
--
-- \`where status\` (listing by status) is pushed down to SQL: the index serves
-- \`WHERE status = ? AND bot_id > ? ORDER BY bot_id LIMIT ?\` without a scan.

ALTER TABLE ${records} ADD COLUMN ext TEXT;
ALTER TABLE ${history} ADD COLUMN ext TEXT;

CREATE INDEX IF NOT EXISTS ${named("status")} ON ${records} (status, bot_id);

-- The history triggers of 0001, again with \`ext\` (a version is kept with its labels and write context).
DROP TRIGGER IF EXISTS ${named("inserted")};
${insertedExt}

DROP TRIGGER IF EXISTS ${named("versioned")};
${versionedExt}
`,
    },
  ];
}
