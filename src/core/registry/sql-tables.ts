/**
 * The names of the registry's SQL tables, checked and quoted: one place for the stores on SQL
 * (D1, SQLite, PostgreSQL), so a table name from a user's configuration can never become SQL.
 * @module
 */
import { ValidationError } from "../errors.ts";

/** The registry's three tables, unquoted: records, their history, the revision counter. */
export interface RecordTableNames {
  /** One row per bot: its current version. */
  records: string;
  /** Every kept version (the current one included). */
  history: string;
  /** One row: the epoch and the count of content-changing writes (`revision()`). */
  revision: string;
}

/** The tables of `migrations/` (D1), and of a SQLite or PostgreSQL store given no `table`. */
export const DEFAULT_RECORD_TABLES: RecordTableNames = Object.freeze({
  records: "botknobs_records",
  history: "botknobs_history",
  revision: "botknobs_revision",
});

/**
 * The longest table name taken: PostgreSQL cuts identifiers at 63 bytes, and the store adds up
 * to 15 characters (`_revision`, `_versioned`) to name the tables, triggers and index beside it.
 */
export const MAX_TABLE_NAME_CHARS = 48;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `table`, checked: letters, digits and `_`, not starting with a digit, at most
 * {@link MAX_TABLE_NAME_CHARS} characters. Anything else (quotes, spaces, dots, a name too long)
 * is a `ValidationError` naming `field`: a name is refused, never rewritten or spliced into SQL.
 * @example
 * checkTableName("bot_configs"); // "bot_configs"
 * checkTableName('x"; DROP TABLE y; --'); // throws ValidationError
 */
export function checkTableName(table: unknown, field = "table"): string {
  const message = `expected letters, digits and _ (not starting with a digit), at most ${MAX_TABLE_NAME_CHARS} characters`;
  if (typeof table !== "string" || table.length > MAX_TABLE_NAME_CHARS || !NAME.test(table))
    throw new ValidationError(
      `Invalid ${field} ${JSON.stringify(typeof table === "string" ? table.slice(0, 80) : table)}: ${message}`,
      [{ path: [field], message }],
    );
  return table;
}

/**
 * The tables of a store given `table` (checked by {@link checkTableName}): `table` itself for
 * the records, `<table>_history` and `<table>_revision` beside it; without one, the tables of
 * `migrations/` ({@link DEFAULT_RECORD_TABLES}).
 * @example
 * recordTableNames("bot_configs"); // { records: "bot_configs", history: "bot_configs_history", revision: "bot_configs_revision" }
 */
export function recordTableNames(table?: string): RecordTableNames {
  if (table === undefined) return DEFAULT_RECORD_TABLES;
  checkTableName(table);
  return { records: table, history: `${table}_history`, revision: `${table}_revision` };
}

/**
 * An identifier as SQL (SQLite and PostgreSQL alike): in double quotes, a quote inside doubled.
 * The names it gets are checked already; quoting still keeps a keyword (`order`) a name.
 * @example
 * quoteName("order"); // "\"order\""
 */
export function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
