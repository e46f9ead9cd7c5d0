/**
 * JSON Patch (RFC 6902): `jsonDiff(a, b)` gives the operations that turn `a` into `b`, and
 * `applyJsonPatch` applies such operations (what a client does to preview a change).
 * @module
 */
import { ValidationError } from "../errors.ts";

/** One RFC 6902 operation (the subset a diff produces: add, remove, replace). */
export type JsonPatchOperation =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown };

/**
 * A JSON Pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`.
 * @example
 * pointerSegment("a/b"); // "a~1b"
 */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => equal(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
}

function diffInto(a: unknown, b: unknown, path: string, ops: JsonPatchOperation[]): void {
  if (equal(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a))
      if (!Object.hasOwn(b, key))
        ops.push({ op: "remove", path: `${path}/${pointerSegment(key)}` });
    for (const key of Object.keys(b)) {
      const at = `${path}/${pointerSegment(key)}`;
      if (!Object.hasOwn(a, key)) ops.push({ op: "add", path: at, value: structuredClone(b[key]) });
      else diffInto(a[key], b[key], at, ops);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) diffInto(a[i], b[i], `${path}/${i}`, ops);
    // Removals from the end first, so each index is still the one meant.
    for (let i = a.length - 1; i >= common; i--) ops.push({ op: "remove", path: `${path}/${i}` });
    for (let i = common; i < b.length; i++)
      ops.push({ op: "add", path: `${path}/${i}`, value: structuredClone(b[i]) });
    return;
  }
  ops.push({ op: "replace", path, value: structuredClone(b) });
}

/**
 * The RFC 6902 operations that turn `a` into `b` (JSON values): objects compared key by key,
 * arrays index by index (extra items removed or added at the end), anything else replaced.
 * Equal values give `[]`.
 * @example
 * jsonDiff({ t: 0.2, m: "a" }, { t: 0.7, m: "a" }); // [{ op: "replace", path: "/t", value: 0.7 }]
 */
export function jsonDiff(a: unknown, b: unknown): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diffInto(a, b, "", ops);
  return ops;
}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/"))
    throw new ValidationError(`Invalid JSON Pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * `doc` with `ops` applied (add, remove, replace; a copy, `doc` is not changed).
 * `ValidationError` when a path does not resolve.
 * @example
 * applyJsonPatch({ t: 0.2 }, [{ op: "replace", path: "/t", value: 0.7 }]); // { t: 0.7 }
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let root = structuredClone(doc);
  for (const op of ops) {
    const segments = parsePointer(op.path);
    if (segments.length === 0) {
      if (op.op === "remove") throw new ValidationError("Cannot remove the whole document");
      root = structuredClone(op.value);
      continue;
    }
    let parent: unknown = root;
    for (const segment of segments.slice(0, -1)) {
      parent = (parent as Record<string, unknown>)?.[segment];
      if (typeof parent !== "object" || parent === null)
        throw new ValidationError(`JSON Patch path ${op.path} does not resolve`);
    }
    const last = segments[segments.length - 1] as string;
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last);
      const bound = op.op === "add" ? parent.length : parent.length - 1;
      if (!Number.isInteger(index) || index < 0 || index > bound)
        throw new ValidationError(`JSON Patch path ${op.path} is out of range`);
      if (op.op === "add") parent.splice(index, 0, structuredClone(op.value));
      else if (op.op === "remove") parent.splice(index, 1);
      else parent[index] = structuredClone(op.value);
    } else {
      const object = parent as Record<string, unknown>;
      if (op.op !== "add" && !Object.hasOwn(object, last))
        throw new ValidationError(`JSON Patch path ${op.path} does not exist`);
      if (op.op === "remove") delete object[last];
      else object[last] = structuredClone(op.value);
    }
  }
  return root;
}
