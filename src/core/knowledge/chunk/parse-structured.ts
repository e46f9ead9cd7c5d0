/**
 * Safe parsing of JSON and YAML knowledge files, with the parser's position in every error.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { loadYaml } from "../../util/yaml.ts";
import { blankJsonc, jsonErrorOffset, positionOf } from "./json-position.ts";

/**
 * The YAML alias budget: `yaml` throws once (aliases resolved × aliases they contain) passes it,
 * so a "billion laughs" document fails on its first levels instead of expanding to gigabytes.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

function invalid(kind: string, path: string, where: string, detail: string, cause: unknown): never {
  const message = `${where}: ${detail}`;
  throw new ValidationError(`Invalid ${kind} in ${path} ${message}`, [{ path: [path], message }], {
    cause,
  });
}

/**
 * Parses JSON, or JSONC (`//` and `/* *\/` comments, trailing commas) when strict JSON fails.
 * A syntax error throws {@link ValidationError} with the line, column and offset of the first bad
 * character (found by our own scanner, so every runtime reports the same place).
 * @example
 * parseJsonText('{"a": 1}', "a.json"); // { a: 1 }
 */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not strict JSON: maybe JSONC (comments, trailing commas), as config-style files are.
  }
  const jsonc = blankJsonc(text);
  try {
    return JSON.parse(jsonc);
  } catch (cause) {
    const offset = jsonErrorOffset(jsonc);
    const at = positionOf(text, offset < 0 ? text.length : offset);
    const near = JSON.stringify(text.slice(at.offset, at.offset + 20));
    invalid(
      "JSON",
      path,
      `at line ${at.line}, column ${at.column} (offset ${at.offset})`,
      at.offset >= text.length ? "unexpected end of input" : `unexpected input near ${near}`,
      cause,
    );
  }
}

/**
 * Parses YAML (1.2 core schema, every document of a multi-document stream: one value when there
 * is one document, an array of them otherwise). Syntax errors, duplicate keys and alias bombs
 * throw {@link ValidationError} with the line and column. The `yaml` parser is loaded on the first
 * call.
 * @example
 * await parseYamlText("title: FAQ\nitems: [a, b]", "faq.yaml"); // { title: "FAQ", items: ["a", "b"] }
 */
export async function parseYamlText(text: string, path: string): Promise<unknown> {
  const { parseAllDocuments } = await loadYaml();
  const docs = parseAllDocuments(text, { prettyErrors: false });
  // An empty stream (no documents at all) comes back as a non-array: it renders as nothing.
  const list = Array.isArray(docs) ? docs : [];
  const values: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const at = positionOf(text, error.pos[0]);
      const where = `at line ${at.line}, column ${at.column}`;
      invalid("YAML", path, where, error.message, error);
    }
    try {
      values.push(doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }));
    } catch (cause) {
      // yaml throws a ReferenceError for excessive aliasing (and for an unresolvable alias).
      const detail = (cause as Error).message;
      const line = doc.range ? positionOf(text, doc.range[0]).line : 1;
      invalid("YAML", path, `in the document starting at line ${line}`, detail, cause);
    }
  }
  return values.length === 1 ? values[0] : values.length === 0 ? null : values;
}
