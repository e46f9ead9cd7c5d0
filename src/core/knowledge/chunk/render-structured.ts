/**
 * JSON and YAML values to markdown, in the spirit of the original's `transform_json`: a title
 * heading from `name`/`title`/`id`/`key`/`question`, nested objects as sub-headings, lists as
 * bullets, code-ish fields fenced. So that retrieval finds it, and improving on the original:
 * the title is not repeated as a field, booleans read `true`/`false`, `null` and `""` are left
 * out, headings stop at level 6 (deeper ones become bold lines), records (flat objects in a
 * list) become one bullet each, and untitled objects in a list get a numbered heading.
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** The fields whose string value titles an object, first match wins. */
export const TITLE_FIELDS: readonly string[] = ["name", "title", "id", "key", "question"];
/** The fields rendered as fenced code blocks. */
export const CODE_FIELDS: readonly string[] = ["example", "code", "snippet"];
/** Nesting deeper than this is refused (it is not a knowledge document; it may be a cycle). */
export const MAX_DEPTH = 64;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value)
  );
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function");
}

/**
 * Field names as labels: `_`/`-` become spaces, camelCase is split, each word capitalised.
 * @example
 * formatKey("userID_count"); // "User ID Count"
 */
export function formatKey(key: string): string {
  const spaced = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim();
  return spaced.replace(/(^|\s)(\p{Ll})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

function scalarText(value: unknown): string {
  if (typeof value === "string") return value;
  if (ArrayBuffer.isView(value)) return `(${value.byteLength} bytes of binary data)`;
  return String(value);
}

function titleOf(obj: Obj): [field: string, title: string] | undefined {
  for (const field of TITLE_FIELDS) {
    const v = obj[field];
    const title = typeof v === "string" ? v.trim() : "";
    if (title !== "" && !title.includes("\n")) return [field, title];
  }
  return undefined;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

function fence(code: string, lang: string): string {
  let run = 3;
  for (const m of code.matchAll(/`{3,}/g)) run = Math.max(run, m[0].length + 1);
  const f = "`".repeat(run);
  let end = code.length;
  while (end > 0 && code.charCodeAt(end - 1) === 0x0a) end--; // not /\n+$/: quadratic on "\n\n…x"
  return `${f}${lang}\n${code.slice(0, end)}\n${f}`;
}

class Renderer {
  readonly out: string[] = [];
  private readonly path: string;
  private readonly onPath = new Set<object>();
  constructor(path: string) {
    this.path = path;
  }

  heading(level: number, text: string): void {
    const line = text.replace(/\s+/g, " ");
    this.out.push(level <= 6 ? `${"#".repeat(level)} ${line}` : `**${line}**`, "");
  }

  enter(value: object, depth: number, where: string): void {
    if (depth > MAX_DEPTH || this.onPath.has(value)) {
      const why = depth > MAX_DEPTH ? `nested deeper than ${MAX_DEPTH} levels` : "circular";
      throw new ValidationError(`Cannot render ${this.path}: ${why} at ${where}`, [
        { path: [this.path, where], message: why },
      ]);
    }
    this.onPath.add(value);
  }

  /**
   * An object: its title as a heading at `level` (or `fallback`), then its scalar fields, then its
   * nested ones. Scalars go first so that none lands after a sub-section, where it would be read
   * as that sub-section's content.
   */
  object(obj: Obj, level: number, depth: number, where: string, fallback?: string): void {
    this.enter(obj, depth, where);
    const title = titleOf(obj);
    const heading = title?.[1] ?? fallback;
    if (heading !== undefined) this.heading(level, heading);
    const inner = heading === undefined ? level : level + 1;
    const nested: [string, unknown][] = [];
    for (const [key, value] of Object.entries(obj)) {
      if (key === title?.[0] || isEmpty(value)) continue;
      if (isScalar(value) || ArrayBuffer.isView(value)) this.scalar(key, value);
      else nested.push([key, value]);
    }
    for (const [key, value] of nested) this.field(key, value, inner, depth + 1, `${where}.${key}`);
    this.onPath.delete(obj);
  }

  scalar(key: string, value: unknown): void {
    const label = formatKey(key);
    const text = scalarText(value);
    if (CODE_FIELDS.includes(key.toLowerCase()))
      this.out.push(`**${label}**:`, "", fence(text, ""));
    // A multi-line string (a YAML `|` block, say) is usually prose or markdown: keep its lines.
    else if (text.includes("\n")) this.out.push(`**${label}**:`, "", text.trim());
    else this.out.push(`**${label}**: ${text}`);
    this.out.push("");
  }

  field(key: string, value: unknown, level: number, depth: number, where: string): void {
    const label = formatKey(key);
    if (CODE_FIELDS.includes(key.toLowerCase())) {
      this.heading(level, label);
      this.out.push(fence(JSON.stringify(value, null, 2), "json"), "");
    } else if (Array.isArray(value)) {
      if (value.length === 0) return;
      this.heading(level, label);
      this.list(value, level + 1, depth, where, label);
    } else if (Object.keys(value as Obj).length > 0) {
      this.heading(level, label);
      this.object(value as Obj, level + 1, depth, where);
    }
  }

  /**
   * A list: all bullets when every item is a scalar, a flat record or a list of scalars;
   * otherwise one section per item (its title, or `<label> <n>`), so nothing is misattributed.
   */
  list(items: unknown[], level: number, depth: number, where: string, label: string): void {
    this.enter(items, depth, where);
    const bullets = items.map((item) => this.bullet(item));
    if (bullets.every((b) => b !== undefined)) {
      for (const b of bullets) if (b !== "") this.out.push(b);
      this.out.push("");
    } else {
      items.forEach((item, i) => {
        const at = `${where}[${i}]`;
        const name = `${label} ${i + 1}`;
        if (isEmpty(item)) return;
        if (isObject(item)) this.object(item, level, depth + 1, at, name);
        else {
          this.heading(level, name);
          if (Array.isArray(item)) this.list(item, level + 1, depth + 1, at, name);
          else this.out.push(scalarText(item), "");
        }
      });
    }
    this.onPath.delete(items);
  }

  /** One bullet for a scalar, a flat record or a list of scalars; `undefined` for anything else. */
  bullet(item: unknown): string | undefined {
    if (isEmpty(item)) return "";
    if (isScalar(item) || ArrayBuffer.isView(item)) return `- ${oneLine(scalarText(item))}`;
    if (Array.isArray(item)) {
      if (!item.every(isScalar)) return undefined;
      return `- ${item
        .filter((v) => !isEmpty(v))
        .map((v) => oneLine(scalarText(v)))
        .join(", ")}`;
    }
    const entries = Object.entries(item as Obj).filter(([, v]) => !isEmpty(v));
    if (entries.length === 0) return "";
    if (!entries.every(([, v]) => isScalar(v) && !String(v).includes("\n"))) return undefined;
    return `- ${entries.map(([k, v]) => `**${formatKey(k)}**: ${scalarText(v)}`).join("; ")}`;
  }
}

// Lines joined with a space. Split + trim, because the regex way (blanks, newline, blanks) is
// quadratic on a long run of blanks.
function oneLine(text: string): string {
  return text.includes("\n")
    ? text
        .split("\n")
        .map((l) => l.trim())
        .join(" ")
    : text;
}

/**
 * Renders a parsed JSON or YAML value as markdown. A top-level object is a document (its title
 * is the `#` heading); a top-level list is a list of sections or bullets; a scalar is its text.
 * Throws {@link ValidationError} for a cycle or nesting deeper than {@link MAX_DEPTH}.
 * @example
 * renderStructured({ name: "Reset password", steps: ["Open settings", "Click reset"] }, "faq.json");
 * // "# Reset password\n\n## Steps\n\n- Open settings\n- Click reset\n"
 */
export function renderStructured(value: unknown, path: string): string {
  const r = new Renderer(path);
  if (isObject(value)) r.object(value, 1, 0, "$");
  else if (Array.isArray(value)) r.list(value, 1, 0, "$", "Item");
  else if (!isEmpty(value)) r.out.push(scalarText(value));
  return `${r.out.join("\n").trim()}\n`.replace(/^\n$/, "");
}
