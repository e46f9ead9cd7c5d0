/**
 * Checks every {@link BlobStore} applies to a `put`, written once.
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { BlobPutOptions } from "./types.ts";

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
