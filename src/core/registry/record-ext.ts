/**
 * The extensible part of a stored record, `ext`: one JSON object kept as one field (one column
 * in SQL, one key in a journal line or a KV value), so a feature adds a key here, not a column
 * to every store. It holds the bot's `labels` (and `splits`, see `labels.ts`) and the
 * `write_context` of the version it is in.
 * @module
 */
import { ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../id-pattern.ts";
import { checkSplits, type SplitShare } from "./labels.ts";

/** Who made a write and why; kept with the version it wrote. */
export interface WriteContext {
  /** Who wrote (a user, a service, a pipeline): 1–256 characters. */
  actor: string;
  /** Why (a change note): at most 1,024 characters. */
  reason?: string;
}

/**
 * The `ext` object of a stored record (wire form, snake_case). Absent when empty.
 *
 * - `labels` belong to the bot, not to a version: name → version (`stable: 3`). `latest` is
 *   implied (always the current version) and never stored. Every write carries the current
 *   labels forward (a rollback too: it changes the content, not where labels point), so the
 *   current record holds the bot's labels; each version in history keeps them as they stood
 *   when it was written.
 * - `splits` belong to the bot too: a label that splits traffic between versions (name → shares
 *   whose percents add up to 100); its `labels` entry holds the split's primary version (the
 *   largest share), which is what a reader that knows no splits sees. Carried forward the same way.
 * - `write_context` belongs to the version: who wrote it and why.
 */
export interface RecordExt {
  labels?: Record<string, number>;
  splits?: Record<string, SplitShare[]>;
  write_context?: WriteContext;
}

/** The longest `actor`. */
export const MAX_ACTOR_CHARS = 256;
/** The longest `reason`. */
export const MAX_REASON_CHARS = 1024;

function invalid(path: (string | number)[], message: string): ValidationError {
  return new ValidationError(`Invalid ${path.join(".")}: ${message}`, [{ path, message }]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, path: (string | number)[], min: number, max: number): string {
  if (typeof value !== "string" || value.length < min || value.length > max)
    throw invalid(path, `expected a string of ${min}–${max} characters`);
  return value;
}

/**
 * A write context, checked: `actor` a string of 1–256 characters, `reason` (optional) at most
 * 1,024, nothing else; otherwise a `ValidationError` naming the field.
 * @example
 * checkWriteContext({ actor: "alice", reason: "raise the temperature" });
 */
export function checkWriteContext(
  value: unknown,
  path: (string | number)[] = ["write_context"],
): WriteContext {
  if (!isObject(value)) throw invalid(path, "expected an object { actor, reason? }");
  for (const key of Object.keys(value))
    if (key !== "actor" && key !== "reason") throw invalid([...path, key], "unknown field");
  const actor = text(value.actor, [...path, "actor"], 1, MAX_ACTOR_CHARS);
  if (value.reason === undefined) return { actor };
  return { actor, reason: text(value.reason, [...path, "reason"], 0, MAX_REASON_CHARS) };
}

/**
 * The `ext` of a record about to be stored at `version`, checked: only known keys; label names
 * follow the id rule and are not `latest`; label versions are integers from 1 to `version`
 * (a label names a version that exists); splits that belong to a label and add up to 100
 * (`checkSplits`); a valid write context. `ValidationError` otherwise.
 * @example
 * checkExt({ labels: { stable: 2 } }, 3); // ok
 * checkExt({ labels: { latest: 2 } }, 3); // throws: latest is implied
 */
export function checkExt(ext: unknown, version: number): void {
  if (ext === undefined) return;
  if (!isObject(ext)) throw invalid(["ext"], "expected an object");
  for (const [key, value] of Object.entries(ext)) {
    if (key === "write_context") checkWriteContext(value, ["ext", "write_context"]);
    else if (key === "labels") {
      if (!isObject(value)) throw invalid(["ext", "labels"], "expected an object name → version");
      for (const [name, v] of Object.entries(value)) {
        if (!ID_PATTERN.test(name) || name === "latest")
          throw invalid(
            ["ext", "labels", name],
            "a label name follows the id rule ([A-Za-z0-9._:@-], 1–256) and is not 'latest' (implied)",
          );
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > version)
          throw invalid(["ext", "labels", name], `expected a version from 1 to ${version}`);
      }
    } else if (key !== "splits") throw invalid(["ext", key], "unknown field");
  }
  checkSplits(ext, version);
}

/**
 * The `ext` of a new version: the bot's current labels (and splits) carried forward, and this
 * write's context; `undefined` when all are absent.
 * @example
 * nextExt(current?.ext, { actor: "alice" }); // { labels: {...}, write_context: { actor: "alice" } }
 */
export function nextExt(
  current: Pick<RecordExt, "labels" | "splits"> | undefined,
  context: WriteContext | undefined,
): RecordExt | undefined {
  const labels = current?.labels;
  const splits = current?.splits;
  if (labels === undefined && splits === undefined && context === undefined) return undefined;
  return {
    ...(labels === undefined ? {} : { labels: { ...labels } }),
    ...(splits === undefined
      ? {}
      : {
          splits: Object.fromEntries(
            Object.entries(splits).map(([name, shares]) => [name, shares.map((s) => ({ ...s }))]),
          ),
        }),
    ...(context === undefined ? {} : { write_context: context }),
  };
}
