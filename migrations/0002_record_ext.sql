-- The record envelope: `ext`, the extensible part of a record, as one JSON text column (NULL:
-- none, as in every row written before it) on the current row and on each history row, so
-- features (labels, write context, …) add keys, not columns. Rows written before this migration
-- read exactly as they did.
--
-- `where status` (listing by status) is pushed down to SQL: the index serves
-- `WHERE status = ? AND bot_id > ? ORDER BY bot_id LIMIT ?` without a scan.

ALTER TABLE "botknobs_records" ADD COLUMN ext TEXT;
ALTER TABLE "botknobs_history" ADD COLUMN ext TEXT;

CREATE INDEX IF NOT EXISTS "botknobs_records_status" ON "botknobs_records" (status, bot_id);

-- The history triggers of 0001, again with `ext` (a version is kept with its labels and write context).
DROP TRIGGER IF EXISTS "botknobs_records_inserted";
CREATE TRIGGER "botknobs_records_inserted" AFTER INSERT ON "botknobs_records"
BEGIN
  INSERT INTO "botknobs_history" (bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config, ext)
  VALUES (NEW.bot_id, NEW.version, NEW.status, NEW.etag, NEW.created_at, NEW.updated_at, NEW.last_accessed_at, NEW.metadata, NEW.config, NEW.ext);
  UPDATE "botknobs_revision" SET changes = changes + 1 WHERE id = 1;
END;

DROP TRIGGER IF EXISTS "botknobs_records_versioned";
CREATE TRIGGER "botknobs_records_versioned" AFTER UPDATE OF version ON "botknobs_records"
WHEN NEW.version <> OLD.version
BEGIN
  INSERT INTO "botknobs_history" (bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config, ext)
  VALUES (NEW.bot_id, NEW.version, NEW.status, NEW.etag, NEW.created_at, NEW.updated_at, NEW.last_accessed_at, NEW.metadata, NEW.config, NEW.ext);
  UPDATE "botknobs_revision" SET changes = changes + 1 WHERE id = 1;
END;
