/**
 * Knowledge file paths and content types.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { UNSAFE_TEXT, UNSAFE_TEXT_RULE } from "../../validate.ts";

/** The metadata file of each knowledge base, `<root>/<domain>/_metadata.json`. */
export const METADATA_FILE = "_metadata.json";
const MAX_PATH_BYTES = 1024;

function reject(path: unknown, why: string): never {
  const shown = typeof path === "string" ? JSON.stringify(path.slice(0, 120)) : String(path);
  throw new ValidationError(`Invalid file path ${shown}: ${why}`, [
    { path: ["path"], message: why },
  ]);
}

/**
 * Checks a file path inside a knowledge base: relative, `/`-separated, no `..`, `.` or empty
 * segments, no backslash, no control, bidirectional-control or line-separator character
 * ({@link UNSAFE_TEXT}), not `_metadata.json` at the top, no name
 * beginning with `.botknobs` (the store's own objects), at most 1024 bytes. Returns it unchanged.
 */
export function validateFilePath(path: unknown): string {
  if (typeof path !== "string" || path === "") reject(path, "must be a non-empty string");
  if (path.startsWith("/")) reject(path, "must be relative (no leading /)");
  if (path.includes("\\")) reject(path, "must use / as separator (no backslash)");
  if (UNSAFE_TEXT.test(path)) reject(path, UNSAFE_TEXT_RULE);
  if (/^[A-Za-z]:/.test(path)) reject(path, "must be relative (no drive letter)");
  for (const segment of path.split("/")) {
    if (segment === "") reject(path, "must not contain empty segments (// or a trailing /)");
    if (segment === "." || segment === "..") reject(path, "must not contain . or .. segments");
    if (segment.startsWith(".botknobs"))
      reject(path, "names beginning with .botknobs are reserved for the store's own objects");
  }
  if (path === METADATA_FILE) reject(path, `${METADATA_FILE} is reserved`);
  if (new TextEncoder().encode(path).length > MAX_PATH_BYTES)
    reject(path, `longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/**
 * Checks that every `/`-separated part of `key` fits a store's name limit (`maxNameBytes` of its
 * capabilities; none: anything fits): `ValidationError` naming the part, its size, the limit and
 * `what` is stored there. Returns `key`.
 * @example
 * checkNameBytes("support/docs/faq.md", 255, "the copy of 'docs/faq.md'"); // "support/docs/faq.md"
 */
export function checkNameBytes(
  key: string,
  maxNameBytes: number | undefined,
  what: string,
): string {
  if (maxNameBytes === undefined) return key;
  const encoder = new TextEncoder();
  for (const part of key.split("/")) {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: measure only when it could matter.
    const bytes = part.length * 3 > maxNameBytes ? encoder.encode(part).length : part.length;
    if (bytes > maxNameBytes) {
      const shown = part.length > 40 ? `${part.slice(0, 40)}…` : part;
      throw new ValidationError(
        `Cannot store ${what} at '${key.slice(0, 120)}${key.length > 120 ? "…" : ""}': its name '${shown}' is ${bytes} bytes, over the ${maxNameBytes} bytes a name may have in this store (a file name's limit on a file system)`,
        [{ path: ["path"], message: `a name of at most ${maxNameBytes} bytes` }],
      );
    }
  }
  return key;
}

const TYPES: Readonly<Record<string, string>> = {
  md: "text/markdown",
  markdown: "text/markdown",
  json: "application/json",
  yaml: "application/yaml",
  yml: "application/yaml",
  csv: "text/csv",
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
};

/** The content type for a path from a fixed table; `.gz` gives the inner type; else octet-stream. */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const inner = name.endsWith(".gz") ? name.slice(0, -3) : name;
  const dot = inner.lastIndexOf(".");
  return (dot > 0 && TYPES[inner.slice(dot + 1)]) || "application/octet-stream";
}
