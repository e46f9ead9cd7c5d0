/**
 * Input validation shared by every backend: bot ids, statuses, JSON configs.
 * Every check throws {@link ValidationError} naming the field, before anything is written.
 * @module
 */
import * as z from "zod/mini";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import { ID_PATTERN } from "./id-pattern.ts";

export { ID_PATTERN };

/** The zod schema of a bot id (also used for knowledge-base domain ids). */
export const botIdSchema: z.ZodMiniString<string> = z
  .string()
  .check(z.regex(ID_PATTERN, "must be 1–256 characters of [A-Za-z0-9._:@-], and not . or .."));

/** The registration statuses. */
export const STATUSES = ["active", "inactive", "error"] as const;
/** A registration status. */
export type Status = (typeof STATUSES)[number];
/** The zod schema of a registration status. */
export const statusSchema: z.ZodMiniEnum<{
  active: "active";
  inactive: "inactive";
  error: "error";
}> = z.enum(STATUSES);

/**
 * Characters refused in ids, paths, topics and other names: C0 and C1 controls, DEL, the
 * bidirectional overrides, embeddings, isolates and marks (U+200E–U+200F, U+202A–U+202E,
 * U+2066–U+2069, a known spoofing trick: "invoice\u202Efdp.exe") and the line and paragraph
 * separators (U+2028–U+2029, line breaks to some readers).
 */
export const UNSAFE_TEXT: RegExp =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What {@link UNSAFE_TEXT} refuses, in words (for error messages). */
export const UNSAFE_TEXT_RULE =
  "must not contain control characters, bidirectional controls (U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) or line/paragraph separators (U+2028–U+2029)";

/**
 * The deepest nesting of arrays and objects accepted in a JSON document (a request body, a
 * config): deeper ones are refused as bad input before they can exhaust the stack.
 */
export const MAX_JSON_DEPTH = 128;

/** The default size limit of one config, in bytes of its JSON (1 MiB). */
export const DEFAULT_MAX_CONFIG_BYTES: number = 1024 * 1024;

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
/** A JSON object: what a bot configuration is. */
export type JsonObject = { [key: string]: JsonValue };

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

/** A zod issue in words (zod/mini ships no messages, and a locale would weigh on edge bundles). */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== "Invalid input") return issue.message;
  const i = issue as z.core.$ZodIssue & {
    expected?: string;
    keys?: string[];
    values?: unknown[];
    minimum?: unknown;
    maximum?: unknown;
    origin?: string;
  };
  switch (i.code) {
    case "invalid_type":
      return `expected ${i.expected}`;
    case "unrecognized_keys":
      return `unknown key${i.keys && i.keys.length > 1 ? "s" : ""} ${(i.keys ?? []).map((k) => `'${k}'`).join(", ")}`;
    case "invalid_value":
      return `expected one of ${(i.values ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `must be at least ${String(i.minimum)}${i.origin === "string" ? " characters" : ""}`;
    case "too_big":
      return `must be at most ${String(i.maximum)}${i.origin === "string" ? " characters" : ""}`;
    default:
      return i.code ? i.code.replace(/_/g, " ") : "invalid";
  }
}

/** Parses `value` with a zod schema, or throws {@link ValidationError} naming `field`. */
export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((i) => ({
    path: [field, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: describeIssue(i),
  }));
  const first = issues[0] as ValidationIssue;
  const where = first.path.length > 1 ? ` at ${first.path.slice(1).join(".")}` : "";
  const shown = typeof value === "string" ? ` ${JSON.stringify(value.slice(0, 80))}` : "";
  throw new ValidationError(`Invalid ${field}${shown}${where}: ${first.message}`, issues);
}

/** Checks a bot id; returns it. */
export function validateBotId(botId: unknown, field = "botId"): string {
  if (typeof botId === "string" && ID_PATTERN.test(botId)) return botId;
  return parseWith(botIdSchema, botId, field);
}

/** Checks a status; returns it. */
export function validateStatus(status: unknown): Status {
  return parseWith(statusSchema, status, "status");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Why a `__proto__` key is refused. */
export const PROTO_KEY_RULE = "the key '__proto__' is not allowed";

function checkJson(
  value: unknown,
  path: (string | number)[],
  seen: Set<object>,
  issues: ValidationIssue[],
): void {
  if (issues.length >= 20) return;
  // The path starts with the field's name: its length is the depth plus one.
  if (path.length > MAX_JSON_DEPTH + 1 && typeof value === "object" && value !== null) {
    issues.push({ path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    return;
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) issues.push({ path, message: `${value} is not a JSON number` });
      return;
    case "object": {
      if (value === null) return;
      if (seen.has(value)) {
        issues.push({ path, message: "circular reference" });
        return;
      }
      seen.add(value);
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) checkJson(v, [...path, i], seen, issues);
      } else if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          // One rule everywhere: such a key would set a prototype wherever it is copied.
          if (k === "__proto__") issues.push({ path: [...path, k], message: PROTO_KEY_RULE });
          else if (v !== undefined) checkJson(v, [...path, k], seen, issues);
        }
      } else {
        issues.push({
          path,
          message: `${describe(value)} is not JSON (use plain objects, arrays, strings, numbers, booleans, null)`,
        });
      }
      seen.delete(value);
      return;
    }
    default:
      issues.push({ path, message: `${typeof value} is not JSON` });
  }
}

/**
 * Checks that `value` is a plain JSON object of at most `maxBytes` bytes of JSON, and returns a
 * deep copy of it (so a caller mutating its object later never mutates storage) together with its size.
 */
export function validateJsonObject(
  value: unknown,
  field = "config",
  maxBytes: number = DEFAULT_MAX_CONFIG_BYTES,
): { value: JsonObject; json: string } {
  if (!isPlainObject(value)) {
    throw new ValidationError(`Invalid ${field}: expected a JSON object, got ${describe(value)}`, [
      { path: [field], message: `expected a JSON object, got ${describe(value)}` },
    ]);
  }
  const issues: ValidationIssue[] = [];
  checkJson(value, [field], new Set(), issues);
  if (issues.length > 0) {
    const first = issues[0] as ValidationIssue;
    throw new ValidationError(`Invalid ${first.path.join(".")}: ${first.message}`, issues);
  }
  const json = JSON.stringify(value);
  // Cheap upper bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  const bytes = json.length * 3 <= maxBytes ? json.length : new TextEncoder().encode(json).length;
  if (bytes > maxBytes) {
    throw new ValidationError(
      `Invalid ${field}: ${bytes} bytes of JSON exceeds the limit of ${maxBytes}`,
      [{ path: [field], message: `too large: ${bytes} bytes > ${maxBytes}` }],
    );
  }
  return { value: JSON.parse(json) as JsonObject, json };
}

/** Checks a metadata object (a JSON object; `undefined` means `{}`). */
export function validateMetadata(value: unknown): JsonObject {
  return value === undefined ? {} : validateJsonObject(value, "metadata").value;
}
