/**
 * Checks every {@link BlobStore} applies to a `put`, written once.
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { BlobPutOptions, BlobRange } from "./types.ts";

/** Throws `ValidationError` when the caller declared a size and the body had another length. */
export function checkPutSize(key: string, options: BlobPutOptions, actual: number): void {
  const { size } = options;
  if (size !== undefined && size !== actual) {
    throw new ValidationError(
      `Upload of '${key}' declared ${size} bytes but carried ${actual}; nothing was written`,
      [{ path: ["size"], message: `declared ${size}, received ${actual}` }],
    );
  }
}

/** Throws `ValidationError` for a declared size that is not a byte count. */
export function checkDeclaredSize(options: BlobPutOptions): void {
  const { size } = options;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new ValidationError(`Invalid size ${size}: expected a non-negative integer`, [
      { path: ["size"], message: "expected a non-negative integer" },
    ]);
  }
}

/**
 * Throws `ValidationError` for a range that is not a non-negative offset and length.
 * @example
 * checkRange("faq.md", { offset: 2, length: 3 }); // ok
 */
export function checkRange(key: string, range: BlobRange | undefined): void {
  if (
    range &&
    !(
      Number.isSafeInteger(range.offset) &&
      range.offset >= 0 &&
      (range.length === undefined || (Number.isSafeInteger(range.length) && range.length >= 0))
    )
  )
    throw new ValidationError(`Invalid range of '${key}'`, [
      { path: ["range"], message: "expected a non-negative offset and length" },
    ]);
}

const utf8 = new TextEncoder();

/**
 * Throws `ValidationError` unless `key` is a non-empty string of at most `maxBytes` UTF-8 bytes:
 * an object store's key limit (R2 and S3 take 1,024), checked before any call. `store` names it
 * in the message (`"An R2 key must be …"`, `"R2 key of 1500 bytes is longer than …"`).
 * @example
 * checkKeyBytes("kb/faq.md", 1024, "S3");
 */
export function checkKeyBytes(key: string, maxBytes: number, store: string): void {
  if (typeof key !== "string" || key === "")
    throw new ValidationError(`An ${store} key must be a non-empty string`, [
      { path: ["key"], message: "expected a non-empty string" },
    ]);
  const bytes = utf8.encode(key).length;
  if (bytes > maxBytes)
    throw new ValidationError(
      `${store} key of ${bytes} bytes is longer than the ${maxBytes}-byte limit`,
      [{ path: ["key"], message: `at most ${maxBytes} UTF-8 bytes` }],
    );
}
