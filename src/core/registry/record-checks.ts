/**
 * The checks every {@link RecordStore} makes before it writes or pages: a put's version and
 * `ext`, a history cursor, a prune's `keepLast`. Each failure is a `ValidationError` naming the
 * field, so nothing is written.
 * @module
 */
import { ValidationError } from "../errors.ts";
import { checkExt } from "./record-ext.ts";
import type { RegistrationDict } from "./registration.ts";

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${field}: ${message}`, [{ path: [field], message }]);
}

/**
 * The check every `RecordStore.put` makes before writing: `record.version` is an integer above
 * `expectedVersion` (above 0 when creating); otherwise a `ValidationError` naming `version`.
 * @example
 * checkPutVersion(record, 1); // throws unless record.version is an integer > 1
 */
export function checkPutVersion(
  record: Pick<RegistrationDict, "bot_id" | "version">,
  expectedVersion: number | null,
): void {
  const { version } = record;
  if (!Number.isInteger(version) || version < 1 || version <= (expectedVersion ?? 0)) {
    throw invalid(
      "version",
      `${version} of bot '${record.bot_id}' must be an integer greater than ${expectedVersion ?? 0}`,
    );
  }
}

/**
 * Every check a `RecordStore.put` makes before writing: {@link checkPutVersion}, and a valid
 * `ext` (`checkExt`: known keys, label names and versions, the write context's lengths).
 * `ValidationError` otherwise, so nothing is written.
 * @example
 * checkPutRecord(record, expectedVersion);
 */
export function checkPutRecord(
  record: Pick<RegistrationDict, "bot_id" | "version" | "ext">,
  expectedVersion: number | null,
): void {
  checkPutVersion(record, expectedVersion);
  checkExt(record.ext, record.version);
}

/**
 * The `cursor` of a history page (the version the page stopped at), checked: a history page
 * starts below it. `ValidationError` naming `cursor` when it is not one.
 */
export function historyCursor(cursor: string | undefined): number {
  if (cursor === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d{1,15}$/.test(cursor))
    throw invalid("cursor", `${JSON.stringify(cursor)} is not a history cursor`);
  return Number(cursor);
}

/** `keepLast` of a prune, checked: an integer ≥ 1 (`ValidationError` naming `keepLast`). */
export function checkKeepLast(keepLast: number): void {
  if (!Number.isInteger(keepLast) || keepLast < 1)
    throw invalid("keepLast", `${keepLast} must be an integer of at least 1`);
}
