/**
 * The tables of an engine-backed search index, named from one checked prefix (`table`).
 * @module
 */
import { checkTableName, quoteName } from "../../registry/sql-tables.ts";

/** The unquoted names of an index's tables. */
export interface SearchTableNames {
  /** One row per knowledge base (domain and generation): its version and statistics. */
  scopes: string;
  /** One row per indexed file. */
  sources: string;
  /** One row per chunk. */
  chunks: string;
  /** Per scope and term: how many chunks and files hold it (the built-in scorer's statistics). */
  terms: string;
  /** SQLite: the FTS5 table over the chunks. */
  fts: string;
  /** SQLite: the row an exclusive commit checks the version with. PostgreSQL: the check function. */
  guard: string;
}

/** The default prefix: `botknobs_search_scopes`, `botknobs_search_chunks`, … */
export const DEFAULT_SEARCH_TABLE = "botknobs_search";

/**
 * The tables of prefix `table` (checked: letters, digits and `_`, at most 48 characters; any
 * other name is a `ValidationError` naming `table`, never SQL).
 * @example
 * searchTableNames("kb"); // { scopes: "kb_scopes", sources: "kb_sources", … }
 */
export function searchTableNames(table: string = DEFAULT_SEARCH_TABLE): SearchTableNames {
  checkTableName(table);
  return {
    scopes: `${table}_scopes`,
    sources: `${table}_sources`,
    chunks: `${table}_chunks`,
    terms: `${table}_terms`,
    fts: `${table}_fts`,
    guard: `${table}_guard`,
  };
}

/** The names quoted (and qualified by `schema` where given), as statements use them. */
export function quotedTables(names: SearchTableNames, schema: string | null): SearchTableNames {
  const q = (name: string): string =>
    schema === null ? quoteName(name) : `${quoteName(schema)}.${quoteName(name)}`;
  return {
    scopes: q(names.scopes),
    sources: q(names.sources),
    chunks: q(names.chunks),
    terms: q(names.terms),
    fts: q(names.fts),
    guard: q(names.guard),
  };
}

/** The word in the error of a commit whose `expected` version moved on (see `SearchStatements.begin`). */
export const STALE_INDEX = "botknobs_stale_index";
