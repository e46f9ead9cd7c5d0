/**
 * The port's metadata filter and metadata, in Vectorize's terms: checked against Vectorize's
 * rules before any call, so a bad one is a `ValidationError` rather than a remote error.
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import {
  acceptedValues,
  type FilterValue,
  type MetadataFilter,
  validateFilter,
} from "../../core/knowledge/index/filter.ts";
import {
  VECTORIZE_LIMITS,
  type VectorizeFilterLike,
  type VectorizeMetadataValueLike,
} from "./types.ts";

const bytes = (text: string): number => new TextEncoder().encode(text).byteLength;

/**
 * Vectorize's rules for a metadata field name: not empty, no `"`, no `.` (it means nesting), not
 * starting with `$` (operators), at most 512 characters.
 */
function checkField(field: string, where: "filter" | "metadata"): void {
  const bad =
    field === "" ||
    field.includes('"') ||
    field.includes(".") ||
    field.startsWith("$") ||
    field.length > 512;
  if (bad)
    throw new ValidationError(
      `Invalid ${where} field '${field}' for Vectorize: a name must be non-empty, at most 512 characters, without '"' or '.', and not start with '$'`,
      [{ path: [where, field], message: "not a Vectorize field name" }],
    );
}

/**
 * The port's filter as a Vectorize filter (equality, `$eq`, `$in`: the same shapes). Vectorize
 * takes no `null` inside `$in`, at most 2048 bytes of filter JSON, and compares strings on their
 * first 64 bytes (longer values are refused).
 * @example
 * toVectorizeFilter({ lang: { $in: ["en", "de"] } }) // { lang: { $in: ["en", "de"] } }
 */
export function toVectorizeFilter(filter: MetadataFilter): VectorizeFilterLike {
  const valid = validateFilter(filter);
  const out: VectorizeFilterLike = {};
  for (const [field, cond] of Object.entries(valid)) {
    checkField(field, "filter");
    // Vectorize indexes a string's first 64 bytes: a longer value would also match other
    // values sharing that prefix, so it is refused rather than answered wrongly.
    for (const value of acceptedValues(cond))
      if (typeof value === "string" && bytes(value) > VECTORIZE_LIMITS.indexedStringBytes)
        throw new ValidationError(
          `Invalid filter on '${field}': Vectorize compares only the first ${VECTORIZE_LIMITS.indexedStringBytes} bytes of a string, and '${value.slice(0, 80)}' is longer`,
          [{ path: ["filter", field], message: "string longer than Vectorize indexes" }],
        );
    if (cond !== null && typeof cond === "object" && "$in" in cond) {
      if (cond.$in.some((v) => v === null))
        throw new ValidationError(`Invalid filter on '${field}': Vectorize's $in takes no null`, [
          { path: ["filter", field], message: "$in with null" },
        ]);
      out[field] = { $in: cond.$in as (string | number | boolean)[] };
    } else
      out[field] = cond === null || typeof cond !== "object" ? { $eq: cond } : { $eq: cond.$eq };
  }
  const size = bytes(JSON.stringify(out));
  if (size >= VECTORIZE_LIMITS.filterBytes)
    throw new ValidationError(
      `Filter too large for Vectorize: ${size} bytes of JSON, the limit is under ${VECTORIZE_LIMITS.filterBytes}`,
      [{ path: ["filter"], message: "too large" }],
    );
  return out;
}

/**
 * A record's metadata as Vectorize stores it, with `extra` (the store's own fields) added;
 * a caller's field named `reserved` is refused.
 * Vectorize stores no `null`, and at most 10 KiB of metadata JSON per vector.
 */
export function toVectorizeMetadata(
  id: string,
  metadata: Readonly<Record<string, FilterValue>> | undefined,
  reserved: string,
  extra: Record<string, string>,
): Record<string, VectorizeMetadataValueLike> | undefined {
  const out: Record<string, VectorizeMetadataValueLike> = {};
  for (const [field, value] of Object.entries(metadata ?? {})) {
    checkField(field, "metadata");
    if (field === reserved)
      throw new ValidationError(`Metadata of '${id}' uses the reserved field '${field}'`, [
        { path: ["metadata", field], message: "reserved" },
      ]);
    if (value === null || !["string", "number", "boolean"].includes(typeof value))
      throw new ValidationError(
        `Metadata '${field}' of '${id}' must be a string, number or boolean (Vectorize stores no null)`,
        [{ path: ["metadata", field], message: "not storable in Vectorize" }],
      );
    out[field] = value;
  }
  Object.assign(out, extra);
  if (Object.keys(out).length === 0) return undefined;
  const size = bytes(JSON.stringify(out));
  if (size > VECTORIZE_LIMITS.metadataBytes)
    throw new ValidationError(
      `Metadata of '${id}' is ${size} bytes of JSON; Vectorize keeps at most ${VECTORIZE_LIMITS.metadataBytes}`,
      [{ path: ["metadata"], message: "too large" }],
    );
  return out;
}
