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
