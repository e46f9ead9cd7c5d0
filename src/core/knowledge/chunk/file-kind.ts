/**
 * Which knowledge files ingestion reads, decided from the file's path alone.
 * @module
 */

/** The kinds of knowledge file ingestion turns into markdown. */
export const FileKind = {
  MARKDOWN: "markdown",
  TEXT: "text",
  JSON: "json",
  YAML: "yaml",
  CSV: "csv",
} as const;
/** One of the {@link FileKind} values. */
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

/** What a path says about its file: its kind, and whether one gzip layer wraps it. */
export interface FileType {
  kind: FileKind;
  /** `true` when the path ends in `.gz`: the bytes are gunzipped first. */
  gzip: boolean;
  /** The path without its `.gz` (the path itself when not gzipped). */
  innerPath: string;
}

const KINDS: Readonly<Record<string, FileKind>> = {
  md: FileKind.MARKDOWN,
  markdown: FileKind.MARKDOWN,
  txt: FileKind.TEXT,
  json: FileKind.JSON,
  yaml: FileKind.YAML,
  yml: FileKind.YAML,
  csv: FileKind.CSV,
};

/**
 * The last extension of a path's file name, lower-cased, without the dot; `""` when there is none.
 * A leading dot does not start an extension (`.gitignore` has none, `.markdownlint.yaml` is `yaml`).
 */
function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/**
 * Types a knowledge file from its path: the last extension, lower-cased, decides
 * (`md`/`markdown`, `txt`, `json`, `yaml`/`yml`, `csv`). A `.gz` suffix is removed first (one
 * layer) and the inner extension decides. Anything else is unsupported: `null` (callers skip the
 * file and count it). `.tar.gz` is unsupported, as is a doubly gzipped `.md.gz.gz`.
 * @example
 * detectFileType("docs/faq.md.gz"); // { kind: "markdown", gzip: true, innerPath: "docs/faq.md" }
 * detectFileType("logo.png"); // null
 */
export function detectFileType(path: string): FileType | null {
  let ext = extensionOf(path);
  let innerPath = path;
  const gzip = ext === "gz";
  if (gzip) {
    innerPath = path.slice(0, path.length - 3);
    ext = extensionOf(innerPath);
  }
  const kind = KINDS[ext];
  return kind === undefined ? null : { kind, gzip, innerPath };
}
