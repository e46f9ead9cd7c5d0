/**
 * The registry's tables in PostgreSQL: the same columns, triggers and revision row as D1's and
 * SQLite's (`migrations/`), in PostgreSQL's dialect (plpgsql trigger functions, `COLLATE "C"`
 * ids so pages follow code-unit order as on SQLite), created in one transaction under an
 * advisory lock so two processes starting at once do not race.
 * @module
 */
import {
  type SearchTableNames,
  searchTableNames,
} from "../../core/knowledge/index/sql-search-tables.ts";
import type { SqlTables } from "../../core/registry/sql-record-store.ts";
import {
  checkTableName,
  quoteName,
  type RecordTableNames,
  recordTableNames,
} from "../../core/registry/sql-tables.ts";

/** A store's tables in PostgreSQL: their names, and the schema they are in (`null`: the connection's). */
export interface PostgresTables {
  schema: string | null;
  names: RecordTableNames;
}

/**
 * The tables of `table` (`name` or `schema.name`, each part checked: letters, digits and `_`);
 * without one, D1's names. A `ValidationError` naming `table` for anything else.
 * @example
 * postgresTables("app.bot_configs"); // { schema: "app", names: { records: "bot_configs", … } }
 */
export function postgresTables(table?: string): PostgresTables {
  if (table === undefined) return { schema: null, names: recordTableNames() };
  const { schema, name } = splitTableName(table);
  return { schema, names: recordTableNames(name) };
}

/**
 * `name` or `schema.name` split at its first dot: the schema checked (letters, digits and `_`),
 * the name as given, for the caller to check or to derive its tables from.
 * @example
 * splitTableName("app.kb"); // { schema: "app", name: "kb" }
 */
export function splitTableName(table: string): { schema: string | null; name: string } {
  const dot = typeof table === "string" ? table.indexOf(".") : -1;
  if (dot < 0) return { schema: null, name: table };
  return { schema: checkTableName(table.slice(0, dot)), name: table.slice(dot + 1) };
}

/** An index's tables: their names, and the schema they are in (`null`: the connection's). */
export interface PostgresSearchTables {
  schema: string | null;
  names: SearchTableNames;
}

/**
 * The tables of `table` (a prefix, `name` or `schema.name`, each part checked: letters, digits
 * and `_`); a `ValidationError` naming `table` for anything else.
 * @example
 * postgresSearchTables("app.kb"); // { schema: "app", names: { chunks: "kb_chunks", … } }
 */
export function postgresSearchTables(table?: string): PostgresSearchTables {
  if (table === undefined) return { schema: null, names: searchTableNames() };
  const { schema, name } = splitTableName(table);
  return { schema, names: searchTableNames(name) };
}

/** The SQL names of the tables in `schema` (quoted, qualified). */
export function qualified(schema: string, names: RecordTableNames): SqlTables {
  const q = (name: string): string => `${quoteName(schema)}.${quoteName(name)}`;
  return { records: q(names.records), history: q(names.history), revision: q(names.revision) };
}

/** The migrations table of a store (one row per migration applied). */
export function migrationsTable(schema: string, names: RecordTableNames): string {
  return `${quoteName(schema)}.${quoteName(`${names.records}_migrations`)}`;
}

/** The one migration the PostgreSQL tables have had, named as D1's first. */
export const POSTGRES_MIGRATION = "0001_registry";

const COLUMNS =
  "bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config, ext";

/**
 * The statements that create the tables of `names` in `schema` (idempotent; in one string, so
 * the server runs them as one transaction), the advisory lock first; `createSchema` when the
 * schema was named by the user (and may not exist yet).
 * @example
 * await sql.unsafe(postgresSchema("public", recordTableNames("bot_configs"), false));
 */
export function postgresSchema(
  schema: string,
  names: RecordTableNames,
  createSchema: boolean,
): string {
  const t = qualified(schema, names);
  const own = (what: string): string => quoteName(`${names.records}_${what}`);
  const fn = (what: string): string => `${quoteName(schema)}.${own(what)}`;
  const values = COLUMNS.split(", ")
    .map((c) => `NEW.${c}`)
    .join(", ");
  const columns = (history: boolean): string => `
  bot_id TEXT COLLATE "C" NOT NULL${history ? "" : " PRIMARY KEY"},
  version BIGINT NOT NULL CHECK (version >= 1),
  status TEXT NOT NULL,
  etag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed_at TEXT NOT NULL,
  metadata TEXT NOT NULL,
  config TEXT NOT NULL,
  ext TEXT${history ? ",\n  PRIMARY KEY (bot_id, version)" : ""}`;
  const trigger = (name: string, event: string, body: string): string => `
DROP TRIGGER IF EXISTS ${own(name)} ON ${t.records};
CREATE TRIGGER ${own(name)} AFTER ${event} ON ${t.records} FOR EACH ROW ${body};`;
  // Names are checked to letters, digits and _: the lock key is a plain literal.
  return `SELECT pg_advisory_xact_lock(hashtext('botknobs:${schema}.${names.records}'));
${createSchema ? `CREATE SCHEMA IF NOT EXISTS ${quoteName(schema)};` : ""}
CREATE TABLE IF NOT EXISTS ${t.records} (${columns(false)}
);
CREATE TABLE IF NOT EXISTS ${t.history} (${columns(true)}
);
CREATE TABLE IF NOT EXISTS ${t.revision} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL,
  changes BIGINT NOT NULL
);
INSERT INTO ${t.revision} (id, epoch, changes)
VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 16), 0) ON CONFLICT (id) DO NOTHING;
CREATE INDEX IF NOT EXISTS ${own("status")} ON ${t.records} (status, bot_id);
CREATE OR REPLACE FUNCTION ${fn("kept")}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ${t.history} (${COLUMNS}) VALUES (${values});
  UPDATE ${t.revision} SET changes = changes + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION ${fn("removed")}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ${t.history} WHERE bot_id = OLD.bot_id;
  UPDATE ${t.revision} SET changes = changes + 1 WHERE id = 1;
  RETURN NULL;
END $$;
${trigger("inserted", "INSERT", `EXECUTE FUNCTION ${fn("kept")}()`)}
-- A touch sets last_accessed_at only: it fires nothing, adds no history, moves no revision.
${trigger("versioned", "UPDATE OF version", `WHEN (NEW.version <> OLD.version) EXECUTE FUNCTION ${fn("kept")}()`)}
${trigger("deleted", "DELETE", `EXECUTE FUNCTION ${fn("removed")}()`)}
CREATE TABLE IF NOT EXISTS ${migrationsTable(schema, names)} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO ${migrationsTable(schema, names)} (name, applied_at)
VALUES ('${POSTGRES_MIGRATION}', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ON CONFLICT (name) DO NOTHING;
`;
}
