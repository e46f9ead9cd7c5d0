/**
 * The search index's tables in PostgreSQL: the columns of SQLite's (`sqlite-search-schema.ts`),
 * with the full text in a generated `tsvector` column (`english` configuration: the heading
 * weighted A, the text B) under a GIN index, JSON in `jsonb`, and the check an exclusive commit
 * makes as a function. Created in one transaction under an advisory lock, so two processes
 * starting at once do not race.
 * @module
 */
import {
  quotedTables,
  type SearchTableNames,
  STALE_INDEX,
} from "../../core/knowledge/index/sql-search-tables.ts";
import { quoteName } from "../../core/registry/sql-tables.ts";

/**
 * The statements that create the tables of `names` in `schema` (idempotent; one string, so the
 * server runs it as one transaction); `createSchema` when the user named the schema.
 * @example
 * await sql.unsafe(postgresSearchSchema("public", searchTableNames(), false));
 */
export function postgresSearchSchema(
  schema: string,
  names: SearchTableNames,
  createSchema: boolean,
): string {
  const t = quotedTables(names, schema);
  const own = (what: string): string => quoteName(`${names.chunks}_${what}`);
  const english = "'english'::regconfig";
  // Names are checked to letters, digits and _: the lock key is a plain literal.
  return `SELECT pg_advisory_xact_lock(hashtext('botknobs-search:${schema}.${names.scopes}'));
${createSchema ? `CREATE SCHEMA IF NOT EXISTS ${quoteName(schema)};` : ""}
CREATE TABLE IF NOT EXISTS ${t.scopes} (
  id BIGSERIAL PRIMARY KEY,
  domain_id TEXT COLLATE "C" NOT NULL,
  generation TEXT COLLATE "C" NOT NULL,
  version TEXT NOT NULL,
  embedding TEXT,
  chunks BIGINT NOT NULL DEFAULT 0,
  files BIGINT NOT NULL DEFAULT 0,
  len_h BIGINT NOT NULL DEFAULT 0,
  len_t BIGINT NOT NULL DEFAULT 0,
  UNIQUE (domain_id, generation)
);
CREATE TABLE IF NOT EXISTS ${t.sources} (
  scope_id BIGINT NOT NULL,
  path TEXT COLLATE "C" NOT NULL,
  checksum TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  chunks INTEGER NOT NULL,
  terms JSONB NOT NULL,
  len_h INTEGER NOT NULL,
  len_t INTEGER NOT NULL,
  PRIMARY KEY (scope_id, path)
);
CREATE TABLE IF NOT EXISTS ${t.chunks} (
  id BIGSERIAL PRIMARY KEY,
  scope_id BIGINT NOT NULL,
  path TEXT COLLATE "C" NOT NULL,
  chunk_index INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  headings TEXT NOT NULL,
  line_number INTEGER NOT NULL,
  metadata JSONB NOT NULL,
  text TEXT NOT NULL,
  vector_id TEXT,
  terms JSONB NOT NULL,
  len_h INTEGER NOT NULL,
  len_t INTEGER NOT NULL,
  tsv TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector(${english}, heading_path), 'A') || setweight(to_tsvector(${english}, text), 'B')
  ) STORED
);
CREATE INDEX IF NOT EXISTS ${own("tsv")} ON ${t.chunks} USING GIN (tsv);
CREATE INDEX IF NOT EXISTS ${own("path")} ON ${t.chunks} (scope_id, path);
CREATE INDEX IF NOT EXISTS ${own("vector")} ON ${t.chunks} (vector_id) WHERE vector_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${t.terms} (
  scope_id BIGINT NOT NULL,
  term TEXT COLLATE "C" NOT NULL,
  df INTEGER NOT NULL,
  gdf INTEGER NOT NULL,
  PRIMARY KEY (scope_id, term)
);
CREATE OR REPLACE FUNCTION ${t.guard}(p_domain TEXT, p_generation TEXT, p_version TEXT)
RETURNS INTEGER LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce((SELECT version FROM ${t.scopes} WHERE domain_id = p_domain AND generation = p_generation), '') <> p_version THEN
    RAISE EXCEPTION '${STALE_INDEX}: the version of % / % moved on', p_domain, p_generation;
  END IF;
  RETURN 1;
END $$;
`;
}
