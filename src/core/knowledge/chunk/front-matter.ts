/**
 * YAML front matter at the top of a markdown file (`---` … `---`).
 * @module
 */
import { loadYaml } from "../../util/yaml.ts";
import { MAX_YAML_ALIAS_COUNT } from "./parse-structured.ts";

/** Front matter split off a markdown text. */
export interface FrontMatterSplit {
  /** The parsed front matter, or `null` when there is none (or it is not a valid YAML mapping). */
  data: Record<string, unknown> | null;
  /** Where the markdown body starts (0 without front matter). */
  bodyStart: number;
  /** The 1-based line `bodyStart` is on. */
  bodyLine: number;
}

const NONE: FrontMatterSplit = { data: null, bodyStart: 0, bodyLine: 1 };

// YAML 1.2 core-schema resolution of plain scalars (the `yaml` package's default schema).
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]{1,15}$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
// Anything else the core schema reads specially: hex/octal ints, .inf/.nan, long ints.
const SPECIAL = /^(?:0[xo]|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$|[-+]?[0-9]{16})/;
// Characters a plain scalar cannot start with (`-`, `?`, `:` can, when a non-blank follows).
const INDICATOR = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?:\s|$))/;
const KEY = /^[A-Za-z_][A-Za-z0-9_. -]*$/;

/** A plain scalar resolved as the core schema does; `undefined` when it is not a simple one. */
function plain(s: string): unknown {
  if (s === "" || s.includes(": ") || s.includes(" #") || s.includes("\t") || s.endsWith(":"))
    return undefined;
  const c = s.charCodeAt(0) | 0x20; // lower-cased if a letter
  // A letter other than t/f/n starts a string for sure: the common case skips every test below.
  if (c >= 0x61 && c <= 0x7a && c !== 0x74 && c !== 0x66 && c !== 0x6e) return s;
  if (INDICATOR.test(s) || SPECIAL.test(s)) return undefined;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT.test(s) || FLOAT.test(s)) return Number.parseFloat(s);
  return s;
}

/**
 * Parses the flat YAML most front matter is made of: `key: plain scalar`, `key: [a, b]` and
 * `key:` followed by `- item` lines, with comments and blank lines. Returns `undefined` for
 * anything else, and the caller falls back to the full `yaml` parser. This fast path exists
 * because front matter is on nearly every documentation page and the full parser would cost more
 * than all the chunking; a Node test checks it against `yaml` on every front matter of the corpus.
 * @example
 * parseSimpleYaml("title: FAQ\ntags: [a, b]\n"); // { title: "FAQ", tags: ["a", "b"] }
 * parseSimpleYaml("a: {b: 1}\n"); // undefined (the yaml package decides)
 */
export function parseSimpleYaml(src: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const lines = src.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    if (line === "" || line[0] === "#") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const key = line.slice(0, colon);
    if (!KEY.test(key) || key.endsWith(" ") || BOOL.test(key) || NULL.test(key)) return undefined;
    if (key === "__proto__" || Object.hasOwn(out, key)) return undefined;
    const after = line.slice(colon + 1);
    if (after !== "" && after[0] !== " ") return undefined;
    const rest = after.trim();
    let value: unknown;
    if (rest === "") {
      const items: unknown[] = [];
      let indent = -1;
      for (let next = lines[i + 1]; next !== undefined; next = lines[i + 1]) {
        const dash = next.indexOf("- ");
        if (dash === -1 || (indent !== -1 && dash !== indent) || next.slice(0, dash).trim() !== "")
          break;
        indent = dash;
        const item = plain(next.slice(dash + 2).trim());
        if (item === undefined) return undefined;
        items.push(item);
        i++;
      }
      const next = lines[i + 1];
      if (next !== undefined && (next[0] === " " || next[0] === "\t" || next[0] === "-"))
        return undefined;
      value = items.length > 0 ? items : null;
    } else if (rest[0] === "[") {
      if (!rest.endsWith("]") || /[[\]{}"'#]/.test(rest.slice(1, -1))) return undefined;
      const inner = rest.slice(1, -1).trim();
      const items = inner === "" ? [] : inner.split(",").map((s) => plain(s.trim()));
      if (items.includes(undefined)) return undefined;
      value = items;
    } else {
      value = plain(rest);
      if (value === undefined) return undefined;
    }
    out[key] = value;
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl === -1 ? text.length : nl;
}

function isMarker(text: string, start: number, end: number, marker: string): boolean {
  if (!text.startsWith(marker, start)) return false;
  for (let k = start + 3; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/**
 * Splits YAML front matter off the start of `text` (a `---` line, YAML, a `---` or `...` line).
 * A front matter that is not valid YAML, or not a mapping, is not front matter: it stays in the
 * body as ordinary text and `data` is `null`. It never throws. Alias bombs are cut off by the
 * same alias budget as YAML files. The flat `key: value` front matter most pages have is read
 * without the `yaml` package; anything else loads it on first use.
 * @example
 * await splitFrontMatter("---\ntitle: FAQ\n---\n# FAQ\n"); // { data: { title: "FAQ" }, bodyStart: 19, bodyLine: 4 }
 */
export async function splitFrontMatter(text: string): Promise<FrontMatterSplit> {
  if (!text.startsWith("---")) return NONE;
  const first = lineEnd(text, 0);
  if (!isMarker(text, 0, first, "---") || first === text.length) return NONE;
  let line = 2;
  for (let s = first + 1; s < text.length; line++) {
    const e = lineEnd(text, s);
    if (isMarker(text, s, e, "---") || isMarker(text, s, e, "...")) {
      const data = await parseFrontMatter(text.slice(first + 1, s));
      return data === null
        ? NONE
        : { data, bodyStart: Math.min(e + 1, text.length), bodyLine: line + 1 };
    }
    s = e + 1;
  }
  return NONE;
}

async function parseFrontMatter(src: string): Promise<Record<string, unknown> | null> {
  const simple = parseSimpleYaml(src);
  if (simple !== undefined) return simple;
  const { parse } = await loadYaml();
  try {
    const value: unknown = parse(src, { maxAliasCount: MAX_YAML_ALIAS_COUNT });
    if (value === null || value === undefined) return {};
    return typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null; // not YAML: the block stays in the text
  }
}

/** The front matter fields a page is found by, in the order they are indexed. */
const PAGE_FIELDS = ["description", "summary"] as const;

function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

/**
 * The markdown a page without body text is indexed as: its front matter's `title` as the
 * heading, then `description`, `summary` and `keywords` (a list or a comma-separated string),
 * each when present — what site-search engines index a page by. `""` when none is there.
 * @example
 * frontMatterMarkdown({ title: "Install", description: "How to install.", keywords: ["setup"] });
 * // "# Install\n\nHow to install.\n\nKeywords: setup\n"
 */
export function frontMatterMarkdown(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const title = textOf(data.title).replace(/\s+/g, " ");
  if (title !== "") parts.push(`# ${title}`);
  for (const field of PAGE_FIELDS) {
    const text = textOf(data[field]);
    if (text !== "") parts.push(text);
  }
  const keywords = Array.isArray(data.keywords)
    ? data.keywords.map(textOf).filter((k) => k !== "")
    : textOf(data.keywords)
        .split(",")
        .map((k) => k.trim())
        .filter((k) => k !== "");
  if (keywords.length > 0) parts.push(`Keywords: ${keywords.join(", ")}`);
  // A title alone is also the text, so that the page still gives a chunk.
  if (parts.length === 1 && title !== "") parts.push(title);
  return parts.length === 0 ? "" : `${parts.join("\n\n")}\n`;
}
