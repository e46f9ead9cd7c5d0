/**
 * Splitting code blocks and tables that do not fit in one chunk, keeping each piece readable on
 * its own: code pieces re-open the fence with its info string, table pieces repeat the header.
 * @module
 */
import { type Piece, splitProse } from "./split-text.ts";

/** Packs lines into pieces of at most `room` characters; a longer line is split as prose. */
function packLines(
  lines: readonly string[],
  firstLine: number,
  room: number,
  wrap: (body: string) => string,
): Piece[] {
  const pieces: Piece[] = [];
  let body: string[] = [];
  let size = -1;
  let line = firstLine;
  const flush = (): void => {
    if (body.length > 0 && body.some((l) => l.trim() !== "")) {
      pieces.push({ text: wrap(body.join("\n")), line });
    }
    body = [];
    size = -1;
  };
  lines.forEach((text, k) => {
    if (text.length > room) {
      flush();
      for (const p of splitProse(text, firstLine + k, room, 0))
        pieces.push({ text: wrap(p.text), line: p.line });
      return;
    }
    if (size + 1 + text.length > room) flush();
    if (body.length === 0) line = firstLine + k;
    body.push(text);
    size += 1 + text.length;
  });
  flush();
  return pieces;
}

/**
 * Splits a fenced code block (`text` = opener line, code lines, closing fence; it starts on
 * `line`) by lines. Each piece is a complete fence: the opener with its info string, some lines,
 * the closer. Lines longer than a piece's room are split at spaces; when the fence lines alone
 * take more than half of `max`, the code is split as plain text instead.
 * @example
 * splitCode("```sh\necho 1\necho 2\n```", 1, 20).map((p) => p.text); // ["```sh\necho 1\n```", "```sh\necho 2\n```"]
 */
export function splitCode(text: string, line: number, max: number): Piece[] {
  const lines = text.split("\n");
  const opener = (lines[0] as string).trim();
  const closer = (lines[lines.length - 1] as string).trim();
  const code = lines.slice(1, -1);
  const room = max - opener.length - closer.length - 2;
  if (room < max / 2) return splitProse(code.join("\n"), line + 1, max, 0);
  return packLines(code, line + 1, room, (body) => `${opener}\n${body}\n${closer}`);
}

/**
 * The cells of a table row: split on unescaped `|`, outer pipes dropped, `\|` unescaped.
 * @example
 * tableCells("| a | b\\|c |"); // ["a", "b|c"]
 */
export function tableCells(row: string): string[] {
  const cells = row.trim().split(/(?<!\\)\|/);
  if (cells[0]?.trim() === "") cells.shift();
  if (cells.length > 0 && cells[cells.length - 1]?.trim() === "") cells.pop();
  return cells.map((c) => c.trim().replaceAll("\\|", "|"));
}

/**
 * Splits a table (`text` = header row, delimiter row, rows; it starts on `line`) by rows, with
 * the header and delimiter rows repeated at the top of every piece. A row that cannot fit in a
 * piece with the header (a very wide table) is written as a record instead, one `Header: value`
 * line per non-empty cell, split by lines, every piece of it starting with its first cell.
 * @example
 * splitTable("| a |\n| - |\n| 1 |\n| 2 |", 1, 17).map((p) => p.text); // ["| a |\n| - |\n| 1 |", "| a |\n| - |\n| 2 |"]
 */
export function splitTable(text: string, line: number, max: number): Piece[] {
  const lines = text.split("\n");
  const head = `${lines[0]}\n${lines[1]}`;
  if (lines.length <= 2) return splitProse(text, line, max, 0);
  const pieces: Piece[] = [];
  let rows: string[] = [];
  let size = head.length;
  let first = line;
  let names: string[] | undefined;
  const flush = (): void => {
    if (rows.length > 0) pieces.push({ text: `${head}\n${rows.join("\n")}`, line: first });
    rows = [];
    size = head.length;
  };
  for (let k = 2; k < lines.length; k++) {
    const row = lines[k] as string;
    const rowLine = line + k;
    if (head.length + 1 + row.length > max) {
      flush();
      names ??= tableCells(lines[0] as string);
      const record: string[] = [];
      tableCells(row).forEach((value, c) => {
        if (value !== "") record.push(`${names?.[c] || `Column ${c + 1}`}: ${value}`);
      });
      // Every piece of one record starts with its first cell, so each says which row it is from.
      const lead = record[0] ?? "";
      const rest = record.slice(1);
      const wrap = (body: string): string => `${lead}\n${body}`;
      const split =
        lead.length < max / 4 && rest.length > 0
          ? packLines(rest, rowLine, max - lead.length - 1, wrap)
          : packLines(record, rowLine, max, (body) => body);
      for (const p of split) pieces.push({ text: p.text, line: rowLine });
      continue;
    }
    if (size + 1 + row.length > max) flush();
    if (rows.length === 0) first = rowLine;
    rows.push(row);
    size += 1 + row.length;
  }
  flush();
  return pieces;
}
