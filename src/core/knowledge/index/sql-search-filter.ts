/**
 * Metadata filters as SQL, for the indexes on SQLite, D1 and PostgreSQL: the chunk fields
 * (`source_path`, `chunk_index`, `chunk_id`, `heading_path`, `line_number`) compare their
 * columns, any other field the file's metadata (a JSON object column), type for type as
 * `matchesFilter` compares in JavaScript — `"1"` is not `1`, `true` is not `1`, a missing field
 * matches nothing, `null` matches a field that is null. Field names and values are bound as
 * parameters, never spliced into the text. `domain_id` is decided before any SQL (it picks the
 * scopes a query reads).
 * @module
 */
import { acceptedValues, type FilterValue, type MetadataFilter } from "./filter.ts";

/** The SQL dialects of the engine-backed indexes. */
export type SqlFlavour = "sqlite" | "postgres";

/** A piece of SQL with its `?` parameters, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Chunk fields kept in columns of their own, and the type of value they hold. */
const COLUMNS: Readonly<Record<string, ["string" | "number", string]>> = {
  source_path: ["string", "path"],
  chunk_id: ["string", "chunk_id"],
  heading_path: ["string", "heading_path"],
  chunk_index: ["number", "chunk_index"],
  line_number: ["number", "line_number"],
};

/** Fields of every hit that never equal a filter value (an array), or that SQL does not see. */
const NEVER = new Set(["headings"]);

/** The values of `values` that are of `type`. */
function ofType(values: readonly FilterValue[], type: "string" | "number"): FilterValue[] {
  return values.filter((v) => typeof v === type);
}

/** `column IN (?, …)`, or false when no value can match. */
function inList(column: string, values: readonly FilterValue[]): SqlFragment {
  if (values.length === 0) return { sql: "1 = 0", params: [] };
  return { sql: `${column} IN (${values.map(() => "?").join(", ")})`, params: [...values] };
}

/** One metadata field compared on SQLite: a row of `json_each(metadata)` of the right type. */
function sqliteField(alias: string, field: string, values: readonly FilterValue[]): SqlFragment {
  const params: unknown[] = [field];
  const alternatives: string[] = [];
  for (const v of values) {
    if (v === null) alternatives.push("m.type = 'null'");
    else if (v === true) alternatives.push("m.type = 'true'");
    else if (v === false) alternatives.push("m.type = 'false'");
    else if (typeof v === "string") {
      alternatives.push("(m.type = 'text' AND m.atom = ?)");
      params.push(v);
    } else {
      alternatives.push("(m.type IN ('integer', 'real') AND m.atom = ?)");
      params.push(v);
    }
  }
  const sql = `EXISTS (SELECT 1 FROM json_each(${alias}.metadata) AS m WHERE m.key = ? AND (${alternatives.join(" OR ")}))`;
  return { sql, params };
}

/** One metadata field compared on PostgreSQL: jsonb equality is typed as JavaScript's. */
function postgresField(alias: string, field: string, values: readonly FilterValue[]): SqlFragment {
  const sql = `(${alias}.metadata -> ?::text) IN (${values.map(() => "?::text::jsonb").join(", ")})`;
  return { sql, params: [field, ...values.map((v) => JSON.stringify(v))] };
}

/**
 * The SQL condition of `filter` on the chunk rows aliased `alias` (`"1 = 1"` for none); the
 * `domain_id` field is left out (see {@link domainAllows}).
 * @example
 * filterSql({ lang: { $in: ["en", "de"] }, source_path: "faq.md" }, "c", "sqlite");
 */
export function filterSql(
  filter: MetadataFilter | undefined,
  alias: string,
  flavour: SqlFlavour,
): SqlFragment {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, cond] of Object.entries(filter ?? {})) {
    if (field === "domain_id") continue;
    const values = acceptedValues(cond);
    let part: SqlFragment;
    if (NEVER.has(field) || values.length === 0) part = { sql: "1 = 0", params: [] };
    else if (Object.hasOwn(COLUMNS, field)) {
      const [type, column] = COLUMNS[field] as ["string" | "number", string];
      part = inList(`${alias}.${column}`, ofType(values, type));
    } else
      part =
        flavour === "sqlite"
          ? sqliteField(alias, field, values)
          : postgresField(alias, field, values);
    parts.push(part.sql);
    params.push(...part.params);
  }
  return { sql: parts.length === 0 ? "1 = 1" : parts.join(" AND "), params };
}

/** Whether a knowledge base's hits can pass `filter`'s `domain_id` condition. */
export function domainAllows(filter: MetadataFilter | undefined, domainId: string): boolean {
  if (!filter || !Object.hasOwn(filter, "domain_id")) return true;
  return acceptedValues(filter.domain_id as MetadataFilter[string]).includes(domainId);
}
