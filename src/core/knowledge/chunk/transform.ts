/**
 * Knowledge files to markdown: the first half of ingestion (the chunker is the second).
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { csvToMarkdown } from "./csv.ts";
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeUtf8, normalizeNewlines } from "./decode.ts";
import { detectFileType, FileKind } from "./file-kind.ts";
import { parseJsonText, parseYamlText } from "./parse-structured.ts";
import { renderStructured } from "./render-structured.ts";

/** Options of {@link toMarkdown}. */
export interface ToMarkdownOptions {
  /** The cap on a `.gz` file's decompressed size, in bytes (default 64 MiB). */
  maxDecompressedBytes?: number;
}

/** A knowledge file turned into markdown. */
export interface MarkdownDocument {
  /** The markdown to chunk: LF line endings, no BOM. `""` when the file holds nothing. */
  markdown: string;
  /** The file's kind (after removing `.gz`). */
  kind: FileKind;
  /** Whether a gzip layer was removed. */
  gzip: boolean;
}

/**
 * Turns a knowledge file into markdown, its type decided by {@link detectFileType}: markdown and
 * text pass through, JSON and YAML are rendered by {@link renderStructured}, CSV becomes a table
 * ({@link csvToMarkdown}), and `.gz` of any of them is gunzipped first, capped. Returns `null` for
 * an unsupported type (the caller skips and counts the file). An empty file (0 bytes, or only
 * whitespace once decoded) gives `markdown: ""`, not an error.
 *
 * Throws {@link ValidationError} naming the path and the place: invalid UTF-8 (byte offset),
 * malformed JSON/YAML (line and column), an alias bomb, a ragged CSV row or unterminated quote
 * (row and line), a corrupt or truncated gzip, or a gzip whose output passes the cap.
 *
 * A string is accepted for `content` too (not for `.gz`); its BOM and CRs are dropped likewise.
 * @example
 * const doc = await toMarkdown("faq.md", new TextEncoder().encode("# FAQ\r\n"));
 * // { markdown: "# FAQ\n", kind: "markdown", gzip: false }
 */
export async function toMarkdown(
  path: string,
  content: Uint8Array | string,
  options: ToMarkdownOptions = {},
): Promise<MarkdownDocument | null> {
  const type = detectFileType(path);
  if (type === null) return null;
  const { kind, gzip } = type;
  let text: string;
  if (typeof content === "string") {
    if (gzip && content !== "") {
      throw new ValidationError(`Cannot gunzip ${path}: a string was given, not gzip bytes`, [
        { path: [path], message: "gzip content must be bytes" },
      ]);
    }
    text = normalizeNewlines(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } else if (content.length === 0) {
    text = "";
  } else {
    const max = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    // The gunzip code (fflate) is imported with the first .gz file.
    const bytes = gzip ? (await import("./gunzip.ts")).gunzipCapped(content, path, max) : content;
    text = decodeUtf8(bytes, path);
  }
  return { markdown: await render(kind, text, path), kind, gzip };
}

async function render(kind: FileKind, text: string, path: string): Promise<string> {
  if (text.trim() === "") return "";
  switch (kind) {
    case FileKind.MARKDOWN:
    case FileKind.TEXT:
      return text;
    case FileKind.JSON:
      return renderStructured(parseJsonText(text, path), path);
    case FileKind.YAML:
      return renderStructured(await parseYamlText(text, path), path);
    case FileKind.CSV:
      return csvToMarkdown(text, path);
  }
}
