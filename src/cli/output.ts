/**
 * What the command line prints: results on stdout (tables for people, JSON with `--json`),
 * messages and progress on stderr. Colour only on a terminal, and never when `NO_COLOR` is set
 * to anything but the empty string (https://no-color.org).
 * @module
 */
import process from "node:process";

/** A stream as the output reads it (`process.stdout`, `process.stderr`). */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Where a command prints, and how. */
export interface Output {
  /** Colour on stdout / stderr. */
  readonly color: boolean;
  readonly errColor: boolean;
  /** Whether stderr is a terminal (a progress bar redraws there; plain lines otherwise). */
  readonly errTty: boolean;
  /** The width of stdout's terminal, which tables fit; unlimited when stdout is not one. */
  readonly columns: number;
  /** The width of stderr's terminal, which the progress bar fits (100 when it is not one). */
  readonly errColumns: number;
  /** A line of results on stdout. */
  print(line?: string): void;
  /** A message line on stderr. */
  note(line: string): void;
  /** Raw text on stderr (the progress bar). */
  writeErr(text: string): void;
  /** A value as indented JSON on stdout (`--json`). */
  json(value: unknown): void;
}

/**
 * Whether `NO_COLOR` asks for no colour: set, and not empty.
 * @example
 * noColor({ NO_COLOR: "1" }); // true
 */
export function noColor(env: Record<string, string | undefined>): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== "";
}

/**
 * The output over the process's stdout and stderr.
 * @example
 * const out = processOutput();
 * out.print("done");
 */
export function processOutput(
  stdout: OutStream = process.stdout,
  stderr: OutStream = process.stderr,
  env: Record<string, string | undefined> = process.env,
): Output {
  const plain = noColor(env);
  return {
    color: stdout.isTTY === true && !plain,
    errColor: stderr.isTTY === true && !plain,
    errTty: stderr.isTTY === true,
    columns: stdout.isTTY ? stdout.columns || 100 : Number.POSITIVE_INFINITY,
    errColumns: (stderr.isTTY && stderr.columns) || 100,
    print: (line = "") => void stdout.write(`${line}\n`),
    note: (line) => void stderr.write(`${line}\n`),
    writeErr: (text) => void stderr.write(text),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

const codes = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;

/**
 * `text` in a style when `on`, else unchanged.
 * @example
 * out.print(paint(out.color, "bold", "BOT"));
 */
export function paint(on: boolean, style: keyof typeof codes, text: string): string {
  return on ? `\x1b[${codes[style]}m${text}\x1b[0m` : text;
}

/** Cuts `text` to `width` characters, ending in `…` when cut; one line. */
export function clip(text: string, width: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (width <= 0) return "";
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * A table for people: a header row and aligned columns (numbers right-aligned where `right`
 * says), the last column cut to the terminal's width.
 * @example
 * out.print(table(out, ["BOT", "VERSION"], [["support-bot", "3"]], { right: [1] }));
 */
export function table(
  out: Pick<Output, "color" | "columns">,
  header: string[],
  rows: string[][],
  options: { right?: number[] } = {},
): string {
  const right = new Set(options.right ?? []);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const last = header.length - 1;
  const before = widths.slice(0, last).reduce((n, w) => n + w + 2, 0);
  widths[last] = Math.max(
    Math.min(widths[last] ?? 0, out.columns - before),
    (header[last] ?? "").length,
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = i === last ? clip(cell, w) : cell;
        return right.has(i) ? text.padStart(w) : i === last ? text : text.padEnd(w);
      })
      .join("  ");
  return [paint(out.color, "bold", line(header)), ...rows.map(line)].join("\n");
}

/** Bytes as people read them: `512 B`, `14.2 KB`, `39.0 MB`, `1.20 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** A count with thousands separators: `120,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A count and its noun, plural unless one: `1 file`, `3,127 files`. */
export function counted(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? "" : "s"}`;
}

/** Seconds as `8s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
