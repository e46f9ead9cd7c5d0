/**
 * CSV (RFC 4180) to a markdown table.
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** One parsed CSV record and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

function csvError(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid CSV in ${path}: ${message}`, [{ path: [path], message }]);
}

function fieldEnd(text: string, i: number): number {
  let end = i;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 0x2c || c === 0x0a) break;
    end++;
  }
  return end;
}

/**
 * Reads the record that starts at `i` (not an empty line). `row` and `line` only name the place
 * in errors. Returns its fields and where the next record starts.
 */
function readRecord(
  text: string,
  i: number,
  path: string,
  row: number,
  line: number,
): { fields: string[]; next: number } {
  const n = text.length;
  const fields: string[] = [];
  for (;;) {
    let value: string;
    if (text.charCodeAt(i) === 0x22) {
      value = "";
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) {
          throw csvError(
            path,
            `unterminated quoted field in row ${row} (starting on line ${line})`,
          );
        }
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) !== 0x22) {
          i = q + 1;
          break;
        }
        value += '"';
        from = q + 2;
      }
      // Anything between the closing quote and the next delimiter is kept, like Python's csv.
      const end = fieldEnd(text, i);
      if (end > i) value += text.slice(i, end);
      i = end;
    } else {
      const end = fieldEnd(text, i);
      value = text.slice(i, end);
      i = end;
    }
    fields.push(value);
    if (i < n && text.charCodeAt(i) === 0x2c) i++;
    else return { fields, next: i + 1 };
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf("\n", from); k !== -1 && k < to; k = text.indexOf("\n", k + 1)) count++;
  return count;
}

/**
 * Parses CSV text (newlines already normalised to `\n`): comma-separated fields, `"`-quoted fields
 * holding commas, newlines and `""` for a quote. Lenient where the RFC is strict but the intent is
 * plain: a `"` inside an unquoted field is kept as is, text after a closing quote is appended, and
 * empty lines are skipped. An unterminated quoted field throws {@link ValidationError} naming the
 * row and line it starts on. Row lengths are not checked here (see {@link csvToMarkdown}).
 * @example
 * parseCsv('a,b\n1,"x, ""y"""', "t.csv"); // [{ fields: ["a","b"], line: 1 }, { fields: ["1",'x, "y"'], line: 2 }]
 */
export function parseCsv(text: string, path: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === 0x0a) {
      i++; // an empty line: no record
      line++;
      continue;
    }
    const { fields, next } = readRecord(text, i, path, records.length + 1, line);
    records.push({ fields, line });
    line += 1 + countNewlines(text, i, Math.min(next, text.length) - 1);
    i = next;
  }
  return records;
}

/** A value as a table cell: `|` escaped, newlines (and the blanks around them) as `<br>`. */
function cell(value: string): string {
  let v = value;
  if (v.includes("|")) v = v.replaceAll("|", "\\|");
  // split + trim, not /\s*\n\s*/: that regex is quadratic on a long run of blanks.
  if (v.includes("\n")) v = v.split("\n").map(trimBlanks).join("<br>");
  return v;
}

function trimBlanks(line: string): string {
  return line.trim();
}

function tableRow(fields: string[]): string {
  return `| ${fields.map(cell).join(" | ")} |`;
}

/**
 * Renders CSV text as one markdown table: the first record is the header, the rest are rows, with
 * values as they are except `|` escaped as `\|` and newlines as `<br>`. A row with a different
 * number of fields than the header (a ragged row) throws {@link ValidationError} naming the row
 * (the header is row 1) and its line; so does an unterminated quote. A CSV without data rows
 * renders as `""` (nothing to retrieve). The chunker splits a big table by rows and repeats the
 * header row in every piece.
 * @example
 * csvToMarkdown("name,code\nFrance,FR\n", "c.csv"); // "| name | code |\n| --- | --- |\n| France | FR |\n"
 */
export function csvToMarkdown(text: string, path: string): string {
  const n = text.length;
  const rows: string[] = [];
  let width = -1;
  let line = 1;
  let quote = -1; // the next `"` at or after the current line (one search per quote, not per line)
  for (let i = 0; i < n; ) {
    let end = text.indexOf("\n", i);
    if (end === -1) end = n;
    if (end === i) {
      i++;
      line++;
      continue;
    }
    if (quote < i) {
      quote = text.indexOf('"', i);
      if (quote === -1) quote = n;
    }
    const number = rows.length + 1;
    let fields: string[];
    let next: number;
    if (quote >= end) {
      // The common case, no quote on the line: its fields are what lies between the commas.
      const raw = text.slice(i, end);
      let count = 1;
      for (let k = raw.indexOf(","); k !== -1; k = raw.indexOf(",", k + 1)) count++;
      if (count === width) {
        const escaped = raw.includes("|") ? raw.replaceAll("|", "\\|") : raw;
        rows.push(`| ${escaped.replaceAll(",", " | ")} |`);
        i = end + 1;
        line++;
        continue;
      }
      fields = raw.split(",");
      next = end + 1;
    } else {
      ({ fields, next } = readRecord(text, i, path, number, line));
    }
    if (width === -1) width = fields.length;
    else if (fields.length !== width) {
      throw csvError(
        path,
        `row ${number} (line ${line}) has ${fields.length} fields, but the header has ${width}`,
      );
    }
    rows.push(tableRow(fields));
    line += 1 + countNewlines(text, i, Math.min(next, n) - 1);
    i = next;
  }
  if (rows.length < 2) return "";
  rows.splice(1, 0, `|${" --- |".repeat(width)}`);
  return `${rows.join("\n")}\n`;
}
