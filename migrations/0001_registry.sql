-- The botknobs registry in SQLite: D1RecordStore (botknobs/d1) and SqliteRecordStore
-- (botknobs/sqlite). Written by scripts/d1-migrations.ts from src/core/registry/sqlite-migrations.ts.
-- Apply on D1 with `wrangler d1 migrations apply <database>` (migrations_dir = "migrations" in
-- wrangler.toml); SqliteRecordStore applies the same on initialize().
--
-- One row per bot holds its current version; botknobs_history keeps every version written
-- (the current one included). The triggers keep history and the revision counter in step with
-- each write inside the same statement, so a put, a delete or a clear is atomic on its own, and
-- any writer (a `wrangler d1 execute` by hand too) keeps the invariants.

CREATE TABLE IF NOT EXISTS "botknobs_records" (
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

CREATE TABLE IF NOT EXISTS "botknobs_history" (
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

-- revision() = epoch-changes: `changes` counts content-changing writes and never goes back; the
-- random epoch tells this database from another (or from one created again).
CREATE TABLE IF NOT EXISTS "botknobs_revision" (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL,
  changes INTEGER NOT NULL
);
INSERT OR IGNORE INTO "botknobs_revision" (id, epoch, changes) VALUES (1, lower(hex(randomblob(8))), 0);

CREATE TRIGGER IF NOT EXISTS "botknobs_records_inserted" AFTER INSERT ON "botknobs_records"
BEGIN
  INSERT INTO "botknobs_history" (bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config)
  VALUES (NEW.bot_id, NEW.version, NEW.status, NEW.etag, NEW.created_at, NEW.updated_at, NEW.last_accessed_at, NEW.metadata, NEW.config);
  UPDATE "botknobs_revision" SET changes = changes + 1 WHERE id = 1;
END;

-- A touch sets last_accessed_at only: it fires nothing, adds no history, moves no revision.
CREATE TRIGGER IF NOT EXISTS "botknobs_records_versioned" AFTER UPDATE OF version ON "botknobs_records"
WHEN NEW.version <> OLD.version
BEGIN
  INSERT INTO "botknobs_history" (bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config)
  VALUES (NEW.bot_id, NEW.version, NEW.status, NEW.etag, NEW.created_at, NEW.updated_at, NEW.last_accessed_at, NEW.metadata, NEW.config);
  UPDATE "botknobs_revision" SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS "botknobs_records_deleted" AFTER DELETE ON "botknobs_records"
BEGIN
  DELETE FROM "botknobs_history" WHERE bot_id = OLD.bot_id;
  UPDATE "botknobs_revision" SET changes = changes + 1 WHERE id = 1;
END;
