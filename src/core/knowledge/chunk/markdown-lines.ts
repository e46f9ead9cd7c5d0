/**
 * Line tests of the markdown block parser. Each looks at one line `[s, e)` of a text by character
 * codes, without slicing it: the parser runs them on every line of every document.
 * @module
 */

/**
 * The first index in `[s, e)` that is not a space or tab (`e` for a blank line).
 * @example
 * indentEnd("  - x", 0, 5); // 2
 */
export function indentEnd(text: string, s: number, e: number): number {
  let i = s;
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The end of the line starting at `s` (the index of its `\n`, or the text's length).
 * @example
 * lineEnd("a\nb", 0); // 1
 */
export function lineEnd(text: string, s: number): number {
  const nl = text.indexOf("\n", s);
  return nl === -1 ? text.length : nl;
}

/**
 * A code fence opener at `i` (first non-blank of a line ending at `e`): its length, or 0.
 * Three or more backticks or tildes; a backtick fence's info string holds no backtick.
 * Any indentation is accepted, so fences nested in list items are fences too.
 * @example
 * fenceLength("````js", 0, 6); // 4
 */
export function fenceLength(text: string, i: number, e: number): number {
  const c = text.charCodeAt(i);
  if (c !== 0x60 && c !== 0x7e) return 0;
  let k = i + 1;
  while (k < e && text.charCodeAt(k) === c) k++;
  if (k - i < 3) return 0;
  if (c === 0x60) {
    for (let j = k; j < e; j++) if (text.charCodeAt(j) === 0x60) return 0;
  }
  return k - i;
}

/**
 * Whether the line `[i, e)` closes a fence of `len` characters `code`: the run, then blanks.
 * @example
 * isFenceCloser("```` ", 0, 5, 0x60, 3); // true
 */
export function isFenceCloser(
  text: string,
  i: number,
  e: number,
  code: number,
  len: number,
): boolean {
  let k = i;
  while (k < e && text.charCodeAt(k) === code) k++;
  return k - i >= len && indentEnd(text, k, e) === e;
}

/**
 * The level of an ATX heading at `i` (1–6), or 0. The caller checks indentation (≤ 3).
 * @example
 * headingLevel("## Setup", 0, 8); // 2 (and 0 for "#tag")
 */
export function headingLevel(text: string, i: number, e: number): number {
  let k = i;
  while (k < e && k - i < 7 && text.charCodeAt(k) === 0x23) k++;
  const level = k - i;
  if (level === 0 || level > 6) return 0;
  const next = text.charCodeAt(k);
  return k === e || next === 0x20 || next === 0x09 ? level : 0;
}

/**
 * A heading's text: trimmed, without a closing `#` sequence (`## Foo ##` → `Foo`, not `C#`).
 * @example
 * headingText("## Setup ##", 0, 2, 11); // "Setup"
 */
export function headingText(text: string, i: number, level: number, e: number): string {
  let t = text.slice(i + level, e).trim();
  if (t.endsWith("#")) {
    let k = t.length;
    while (k > 0 && t.charCodeAt(k - 1) === 0x23) k--;
    if (k === 0) t = "";
    else if (t.charCodeAt(k - 1) === 0x20 || t.charCodeAt(k - 1) === 0x09) t = t.slice(0, k).trim();
  }
  return t;
}

/**
 * A thematic break (`---`, `***`, `___`, spaces allowed between) at `i`.
 * @example
 * isThematicBreak("* * *", 0, 5); // true
 */
export function isThematicBreak(text: string, i: number, e: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== 0x2d && c !== 0x2a && c !== 0x5f) return false;
  let count = 0;
  for (let k = i; k < e; k++) {
    const d = text.charCodeAt(k);
    if (d === c) count++;
    else if (d !== 0x20 && d !== 0x09) return false;
  }
  return count >= 3;
}

/**
 * A list item marker at `i`: `-`, `*`, `+`, or 1–9 digits and `.` or `)`, then a blank or the end.
 * @example
 * isListItem("12) step", 0, 8); // true
 */
export function isListItem(text: string, i: number, e: number): boolean {
  const c = text.charCodeAt(i);
  let k = i + 1;
  if (c !== 0x2d && c !== 0x2a && c !== 0x2b) {
    if (c < 0x30 || c > 0x39) return false;
    while (k < e && k - i < 10 && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x39) k++;
    const d = text.charCodeAt(k);
    if (d !== 0x2e && d !== 0x29) return false;
    k++;
  }
  const next = text.charCodeAt(k);
  return k === e || next === 0x20 || next === 0x09;
}

/**
 * A GFM table delimiter row on `[s, e)`: cells of `-` with optional `:` at either end, separated
 * by `|`, with at least one `|` (so that `---` stays a thematic break).
 * @example
 * isDelimiterRow("|:--|--:|", 0, 9); // true
 */
export function isDelimiterRow(text: string, s: number, e: number): boolean {
  let k = indentEnd(text, s, e);
  if (k === e) return false;
  let pipes = 0;
  let cells = 0;
  if (text.charCodeAt(k) === 0x7c) {
    pipes++;
    k++;
  }
  for (;;) {
    k = indentEnd(text, k, e);
    if (k === e) break;
    if (text.charCodeAt(k) === 0x3a) k++;
    const dashes = k;
    while (k < e && text.charCodeAt(k) === 0x2d) k++;
    if (k === dashes) return false;
    if (text.charCodeAt(k) === 0x3a) k++;
    cells++;
    k = indentEnd(text, k, e);
    if (k === e) break;
    if (text.charCodeAt(k) !== 0x7c) return false;
    pipes++;
    k++;
  }
  return cells > 0 && pipes > 0;
}
