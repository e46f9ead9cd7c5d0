/**
 * Glob patterns for topic subscriptions, with the semantics of Python's `fnmatch` on POSIX:
 * `*` any run (including `:`), `?` one character, `[seq]` / `[!seq]` classes, whole-string, case-sensitive.
 * @module
 */

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored regular expression (cached). */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") src += "[\\s\\S]*";
    else if (c === "?") src += "[\\s\\S]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) src += "\\[";
      else {
        let body = glob.slice(i + 1, close);
        const negate = body.startsWith("!");
        if (negate) body = body.slice(1);
        src += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
        i = close;
      }
    } else src += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  re = new RegExp(`^${src}$`, "u");
  if (cache.size > 1000) cache.clear();
  cache.set(glob, re);
  return re;
}

/** True when `topic` matches the glob `pattern`. */
export function matchTopic(pattern: string, topic: string): boolean {
  return globToRegExp(pattern).test(topic);
}
