/**
 * The tables of the search index on SQLite and D1 (the same on both): scopes, files, chunks with
 * an FTS5 table over them (external content, kept in step by triggers; the `porter unicode61`
 * tokenizer, diacritics folded), the built-in scorer's term statistics, and the one-row table an
 * exclusive commit checks its version with. Every statement is idempotent (`IF NOT EXISTS`):
 * `SqliteSearchIndex` and `D1SearchIndex` run them on `initialize()`.
 * @module
 */

import { quoteName } from "../../registry/sql-tables.ts";
import type { SearchTableNames } from "./sql-search-tables.ts";
import { STALE_INDEX } from "./sql-search-tables.ts";

/**
 * The statements that create the tables of `names` (unquoted, checked names).
 * @example
 * for (const sql of sqliteSearchSchema(searchTableNames())) db.exec(sql);
 */
export function sqliteSearchSchema(names: SearchTableNames): string[] {
  const q = quoteName;
  const [scopes, sources, chunks, terms, fts, guard] = [
    names.scopes,
    names.sources,
    names.chunks,
    names.terms,
    names.fts,
    names.guard,
  ].map(q) as [string, string, string, string, string, string];
  const own = (what: string): string => q(`${names.chunks}_${what}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${scopes} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  domain_id TEXT NOT NULL,
  generation TEXT NOT NULL,
  version TEXT NOT NULL,
  embedding TEXT,
  chunks INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  len_h INTEGER NOT NULL DEFAULT 0,
  len_t INTEGER NOT NULL DEFAULT 0,
  UNIQUE (domain_id, generation)
)`,
    // Small columns first: a row is read up to the column asked for, through the long ones.
    `CREATE TABLE IF NOT EXISTS ${sources} (
  scope_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  chunks INTEGER NOT NULL,
  len_h INTEGER NOT NULL,
  len_t INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  terms TEXT NOT NULL,
  PRIMARY KEY (scope_id, path)
) WITHOUT ROWID`,
    // AUTOINCREMENT: an id is never reused, so a hit read by id is the chunk the query found.
    `CREATE TABLE IF NOT EXISTS ${chunks} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope_id INTEGER NOT NULL,
  chunk_index INTEGER NOT NULL,
  line_number INTEGER NOT NULL,
  len_h INTEGER NOT NULL,
  len_t INTEGER NOT NULL,
  path TEXT NOT NULL,
  vector_id TEXT,
  chunk_id TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  headings TEXT NOT NULL,
  metadata TEXT NOT NULL,
  terms TEXT NOT NULL,
  text TEXT NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${own("path")} ON ${chunks} (scope_id, path)`,
    `CREATE INDEX IF NOT EXISTS ${own("vector")} ON ${chunks} (vector_id) WHERE vector_id IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${terms} (
  scope_id INTEGER NOT NULL,
  term TEXT NOT NULL,
  df INTEGER NOT NULL,
  gdf INTEGER NOT NULL,
  PRIMARY KEY (scope_id, term)
) WITHOUT ROWID`,
    // The names are checked (letters, digits, _): safe inside the option strings.
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(heading_path, text, content='${names.chunks}', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')`,
    // `rank` is bm25() with the heading weighing twice the text.
    `INSERT INTO ${fts} (${fts}, rank) VALUES ('rank', 'bm25(2.0, 1.0)')`,
    `CREATE TRIGGER IF NOT EXISTS ${own("indexed")} AFTER INSERT ON ${chunks} BEGIN
  INSERT INTO ${fts} (rowid, heading_path, text) VALUES (new.id, new.heading_path, new.text);
END`,
    `CREATE TRIGGER IF NOT EXISTS ${own("unindexed")} AFTER DELETE ON ${chunks} BEGIN
  INSERT INTO ${fts} (${fts}, rowid, heading_path, text) VALUES ('delete', old.id, old.heading_path, old.text);
END`,
    `CREATE TABLE IF NOT EXISTS ${guard} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  ok INTEGER NOT NULL CONSTRAINT ${STALE_INDEX} CHECK (ok = 1)
)`,
  ];
}
