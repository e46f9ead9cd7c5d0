/**
 * {@link diffJson}: what changed between two JSON values (two versions of a bot's config), as a
 * list of paths added, removed or changed — arrays compared by index.
 * @module
 */

/** One difference at `path` (`llm.model`, `tools[2]`; `""` for the whole value). */
export interface Change {
  path: string;
  op: "added" | "removed" | "changed";
  from?: unknown;
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const join = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$-]*$/.test(key)
    ? path
      ? `${path}.${key}`
      : key
    : `${path}[${JSON.stringify(key)}]`;

/**
 * The changes from `a` to `b`, in key order of `a` then the keys only `b` has.
 * @example
 * diffJson({ llm: { model: "a" } }, { llm: { model: "b" } });
 * // [{ path: "llm.model", op: "changed", from: "a", to: "b" }]
 */
export function diffJson(a: unknown, b: unknown, path = ""): Change[] {
  if (isObject(a) && isObject(b)) {
    const out: Change[] = [];
    for (const key of Object.keys(a)) {
      const p = join(path, key);
      if (!(key in b)) out.push({ path: p, op: "removed", from: a[key] });
      else out.push(...diffJson(a[key], b[key], p));
    }
    for (const key of Object.keys(b))
      if (!(key in a)) out.push({ path: join(path, key), op: "added", to: b[key] });
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) out.push({ path: p, op: "removed", from: a[i] });
      else if (i >= a.length) out.push({ path: p, op: "added", to: b[i] });
      else out.push(...diffJson(a[i], b[i], p));
    }
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, op: "changed", from: a, to: b }];
}
