/**
 * Metadata filters as data — equality and `$in` on metadata fields, the shape Cloudflare
 * Vectorize and AI Search take — so that engine-backed indexes (SQLite/D1 FTS5, PostgreSQL,
 * Vectorize) can push them down instead of calling back into JavaScript.
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** A value a filter compares with. */
export type FilterValue = string | number | boolean | null;

/** One field's condition: a value (equality), `{ $eq: value }` or `{ $in: [values] }`. */
export type FieldCondition = FilterValue | { $eq: FilterValue } | { $in: FilterValue[] };

/**
 * Conditions on metadata fields, all of which must hold.
 * @example
 * const filter: MetadataFilter = { domain_id: "support", lang: { $in: ["en", "de"] } };
 */
export type MetadataFilter = Readonly<Record<string, FieldCondition>>;

/** The operators a filter may use (what an index declares it can push down). */
export type FilterOperator = "eq" | "in";

const isValue = (v: unknown): v is FilterValue =>
  v === null || ["string", "number", "boolean"].includes(typeof v);

/**
 * Checks a filter's shape; throws `ValidationError` naming the field otherwise.
 * @example
 * validateFilter({ source_path: { $in: ["faq.md"] } });
 */
export function validateFilter(filter: unknown): MetadataFilter {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter))
    throw new ValidationError("Invalid filter: expected an object of field conditions", [
      { path: ["filter"], message: "expected an object" },
    ]);
  for (const [field, cond] of Object.entries(filter)) {
    const bad = (why: string): never => {
      throw new ValidationError(`Invalid filter on '${field}': ${why}`, [
        { path: ["filter", field], message: why },
      ]);
    };
    if (isValue(cond)) continue;
    if (typeof cond !== "object" || Array.isArray(cond))
      bad("expected a string, number, boolean, null, { $eq } or { $in }");
    const keys = Object.keys(cond as object);
    if (keys.length !== 1) bad("expected exactly one operator ($eq or $in)");
    const [op] = keys;
    const value = (cond as Record<string, unknown>)[op as string];
    if (op === "$eq") {
      if (!isValue(value)) bad("$eq takes a string, number, boolean or null");
    } else if (op === "$in") {
      if (!Array.isArray(value) || !value.every(isValue))
        bad("$in takes an array of strings, numbers, booleans or nulls");
    } else bad(`unknown operator ${op} (expected $eq or $in)`);
  }
  return filter as MetadataFilter;
}

/** The values one condition accepts. */
export function acceptedValues(cond: FieldCondition): FilterValue[] {
  if (isValue(cond)) return [cond];
  return "$in" in cond ? cond.$in : [cond.$eq];
}

/**
 * Whether `metadata` satisfies every condition of `filter` (a missing field matches nothing).
 * @example
 * matchesFilter({ lang: "en" }, { lang: { $in: ["en"] } }) // true
 */
export function matchesFilter(
  metadata: Readonly<Record<string, unknown>>,
  filter: MetadataFilter,
): boolean {
  for (const [field, cond] of Object.entries(filter)) {
    if (!Object.hasOwn(metadata, field)) return false;
    if (!acceptedValues(cond).includes(metadata[field] as FilterValue)) return false;
  }
  return true;
}

/** The operators a filter uses. */
export function operatorsOf(filter: MetadataFilter): Set<FilterOperator> {
  const ops = new Set<FilterOperator>();
  for (const cond of Object.values(filter)) ops.add(isValue(cond) || "$eq" in cond ? "eq" : "in");
  return ops;
}
