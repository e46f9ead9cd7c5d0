/**
 * A line-based markdown block parser, just deep enough for chunking: headings, paragraphs, code
 * fences, tables and lists, each located by offsets into the text (nothing is copied here).
 * @module
 */
import { FenceIndex } from "./fence-index.ts";
import {
  fenceLength,
  headingLevel,
  headingText,
  indentEnd,
  isDelimiterRow,
  isFenceCloser,
  isListItem,
  isThematicBreak,
  lineEnd,
} from "./markdown-lines.ts";

/** The kinds of markdown block the chunker tells apart. */
export const BlockKind = {
  HEADING: "heading",
  PARAGRAPH: "paragraph",
  CODE: "code",
  TABLE: "table",
  LIST: "list",
} as const;
/** One of the {@link BlockKind} values. */
export type BlockKind = (typeof BlockKind)[keyof typeof BlockKind];

/** An ATX heading. */
export interface HeadingBlock {
  kind: typeof BlockKind.HEADING;
  level: number;
  title: string;
  line: number;
}

/** A content block: the text `[start, end)` begins on 1-based `line`. */
export interface ContentBlock {
  kind: Exclude<BlockKind, typeof BlockKind.HEADING>;
  start: number;
  end: number;
  line: number;
  /** Code: the fence (e.g. "```"); `closed` is false when the fence was never closed. */
  fence?: string;
  closed?: boolean;
}

/** A parsed block. */
export type Block = HeadingBlock | ContentBlock;

interface FenceEnd {
  /** End of the block's last line (the closer's, or the last line before the cut). */
  end: number;
  /** Where parsing resumes. */
  next: number;
  lines: number;
  closed: boolean;
}

/**
 * Parses markdown into blocks, from offset `start` (line `firstLine`) to the end of `text`.
 * `text` must use `\n` line endings.
 *
 * Rules: ATX headings (`#`–`######`, up to 3 spaces of indentation; `#tag` is not one) outside
 * code. Fences of ``` or ~~~ open at any indentation and close with a run of the same character
 * at least as long; a fence that is never closed runs to the next line that reads as a heading,
 * or to the end of the text (so one stray fence cannot swallow the rest of the document). Tables
 * are a row with `|` over a delimiter row, and every following line with a `|`. Lists run through
 * their items, indented continuation lines (fences included), lazy continuation lines, and blank
 * lines followed by more of the list (an item, or a line indented by 2+ spaces or a tab).
 * Thematic breaks separate blocks and are dropped. Everything else (blockquotes, HTML, indented
 * text) is paragraphs, which end at a blank line or at another block's first line.
 * With `headings: false`, heading lines are paragraphs (used inside list items).
 * @example
 * parseBlocks("# T\n\nText.").map((b) => b.kind); // ["heading", "paragraph"]
 */
export function parseBlocks(text: string, start = 0, firstLine = 1, headings = true): Block[] {
  const cursor = blockCursor(text, start, firstLine, headings);
  const blocks: Block[] = [];
  for (let block = cursor.next(); block !== null; block = cursor.next()) blocks.push(block);
  return blocks;
}

/** Blocks one at a time: `next()` gives the next block, or `null` at the end of the text. */
export interface BlockCursor {
  next(): Block | null;
}

/**
 * {@link parseBlocks} one block at a time: the text is parsed as far as the block handed out, so a
 * caller can stop between blocks (give the event loop a turn on a 60 MB file) and go on later.
 * @example
 * const cursor = blockCursor(md);
 * for (let b = cursor.next(); b !== null; b = cursor.next()) console.log(b.kind);
 */
export function blockCursor(text: string, start = 0, firstLine = 1, headings = true): BlockCursor {
  return new Parser(text, headings, start, firstLine);
}

class Parser implements BlockCursor {
  private readonly text: string;
  private readonly n: number;
  private readonly headings: boolean;
  private pos: number;
  private line: number;
  // The next `|` at or after the current line: one indexOf per pipe, never per line.
  private pipe = -1;
  // Per fence character, where fences can close (built after the first unclosed fence of it).
  private readonly fences = new Map<number, FenceIndex>();

  constructor(text: string, headings: boolean, start: number, firstLine: number) {
    this.text = text;
    this.n = text.length;
    this.headings = headings;
    this.pos = start;
    this.line = firstLine;
  }

  next(): Block | null {
    while (this.pos < this.n) {
      const found = this.step();
      if (found !== undefined) return found;
    }
    return null;
  }

  /** Parses the block at `pos` and moves past it; `undefined` for a blank or dropped line. */
  private step(): Block | undefined {
    const { text } = this;
    const s = this.pos;
    const e = lineEnd(text, s);
    const i = indentEnd(text, s, e);
    if (i === e) {
      this.advance(e);
      return undefined;
    }
    if (!startsBlock(text.charCodeAt(i)))
      return this.tableStarts(s, i, e) ? this.table(i, e) : this.paragraph(i, e);
    const indent = i - s;
    const fence = fenceLength(text, i, e);
    if (fence > 0) return this.code(s, i, e, fence);
    const level = this.headings && indent <= 3 ? headingLevel(text, i, e) : 0;
    if (level > 0) {
      const title = headingText(text, i, level, e);
      const line = this.line;
      this.advance(e);
      return title === "" ? undefined : { kind: "heading", level, title, line };
    }
    if (indent <= 3 && isThematicBreak(text, i, e)) {
      this.advance(e);
      return undefined;
    }
    if (isListItem(text, i, e)) return this.list(s, e);
    return this.tableStarts(s, i, e) ? this.table(i, e) : this.paragraph(i, e);
  }

  private advance(e: number): void {
    this.pos = e + 1;
    this.line++;
  }

  private hasPipe(s: number, e: number): boolean {
    if (this.pipe < s) {
      this.pipe = this.text.indexOf("|", s);
      if (this.pipe === -1) this.pipe = this.n;
    }
    return this.pipe < e;
  }

  private tableStarts(s: number, i: number, e: number): boolean {
    if (i - s > 3 || !this.hasPipe(s, e) || e >= this.n) return false;
    return isDelimiterRow(this.text, e + 1, lineEnd(this.text, e + 1));
  }

  /** Whether the line `[s, e)` (non-blank, first non-blank at `i`) starts a block other than a paragraph. */
  private interrupts(s: number, i: number, e: number): boolean {
    const { text } = this;
    if (!startsBlock(text.charCodeAt(i))) return this.tableStarts(s, i, e);
    if (fenceLength(text, i, e) > 0) return true;
    if (i - s <= 3 && this.headings && headingLevel(text, i, e) > 0) return true;
    if (i - s <= 3 && isThematicBreak(text, i, e)) return true;
    return isListItem(text, i, e) || this.tableStarts(s, i, e);
  }

  private paragraph(i: number, e: number): ContentBlock {
    const { text, n } = this;
    const line = this.line;
    let end = e;
    this.advance(e);
    while (this.pos < n) {
      const s = this.pos;
      const le = lineEnd(text, s);
      const li = indentEnd(text, s, le);
      if (li === le || this.interrupts(s, li, le)) break;
      end = le;
      this.advance(le);
    }
    return { kind: "paragraph", start: i, end, line };
  }

  /** Finds where a fence opened at `i` on a line ending at `e` ends. */
  private fenceEnd(i: number, e: number, len: number): FenceEnd {
    const { text, n } = this;
    const code = text.charCodeAt(i);
    const index = this.fences.get(code);
    if (index === undefined) {
      // Scan for the closer: the lines passed over are the fence's own, so this costs nothing
      // extra, unless the fence is never closed. Then this character gets an index, so that
      // later unclosed fences cost no rescan each.
      let lines = 1;
      for (let s = e + 1; s < n; lines++) {
        const le = lineEnd(text, s);
        if (isFenceCloser(text, indentEnd(text, s, le), le, code, len)) {
          return { end: le, next: le + 1, lines: lines + 1, closed: true };
        }
        s = le + 1;
      }
      this.fences.set(code, new FenceIndex(text, code));
    } else {
      const closer = index.closer(e, len);
      if (closer !== undefined) {
        const lines = 2 + countLines(text, e + 1, closer.start);
        return { end: closer.end, next: closer.end + 1, lines, closed: true };
      }
    }
    // Unclosed: it runs to the next line that reads as a heading, or to the end.
    let lines = 1;
    for (let s = e + 1; s < n; lines++) {
      const le = lineEnd(text, s);
      const li = indentEnd(text, s, le);
      if (li - s <= 3 && headingLevel(text, li, le) > 0) {
        return { end: s - 1, next: s, lines, closed: false };
      }
      s = le + 1;
    }
    return { end: n, next: n, lines, closed: false };
  }

  private code(s: number, i: number, e: number, len: number): ContentBlock | undefined {
    const line = this.line;
    const f = this.fenceEnd(i, e, len);
    this.pos = f.next;
    this.line += f.lines;
    // An empty fence carries nothing to retrieve.
    const body = f.closed ? this.text.lastIndexOf("\n", f.end - 1) : f.end;
    if (isBlankRange(this.text, e, body)) return undefined;
    const fence = this.text.slice(i, i + len);
    return { kind: "code", start: s, end: f.end, line, fence, closed: f.closed };
  }

  private table(i: number, e: number): ContentBlock {
    const { text, n } = this;
    const line = this.line;
    this.advance(e);
    let end = lineEnd(text, this.pos); // the delimiter row
    this.advance(end);
    while (this.pos < n) {
      const s = this.pos;
      const le = lineEnd(text, s);
      const li = indentEnd(text, s, le);
      if (li === le || !this.hasPipe(s, le) || fenceLength(text, li, le) > 0) break;
      if (li - s <= 3 && this.headings && headingLevel(text, li, le) > 0) break;
      end = le;
      this.advance(le);
    }
    return { kind: "table", start: i, end, line };
  }

  private list(start: number, e: number): ContentBlock {
    const { text, n } = this;
    const line = this.line;
    let end = e;
    let blankBefore = false;
    this.advance(e);
    while (this.pos < n) {
      const s = this.pos;
      const le = lineEnd(text, s);
      const li = indentEnd(text, s, le);
      if (li === le) {
        // A blank line belongs to the list only if more of the list follows it.
        let q = le + 1;
        let qe = q;
        let qi = q;
        while (q < n) {
          qe = lineEnd(text, q);
          qi = indentEnd(text, q, qe);
          if (qi < qe) break;
          q = qe + 1;
        }
        if (q >= n) break;
        const more = isListItem(text, qi, qe) || isIndented(text, q, qi);
        if (!more || (qi - q <= 3 && headingLevel(text, qi, qe) > 0)) break;
        this.line += countLines(text, s, q);
        this.pos = q;
        blankBefore = true;
        continue;
      }
      const indent = li - s;
      const fence = fenceLength(text, li, le);
      if (fence > 0) {
        if (!isIndented(text, s, li)) break;
        const f = this.fenceEnd(li, le, fence);
        end = f.end;
        this.pos = f.next;
        this.line += f.lines;
        blankBefore = false;
        continue;
      }
      if (indent <= 3 && this.headings && headingLevel(text, li, le) > 0) break;
      if (indent <= 3 && isThematicBreak(text, li, le)) break;
      const continues =
        isListItem(text, li, le) ||
        isIndented(text, s, li) ||
        (!blankBefore && !this.tableStarts(s, li, le));
      if (!continues) break;
      end = le;
      blankBefore = false;
      this.advance(le);
    }
    return { kind: "list", start, end, line };
  }
}

// The characters a fence, heading, thematic break or list item can start with (` ~ # - * _ + 0-9).
// Most lines start with none of them, and then only a table can begin there.
const MARKS = new Uint8Array(128);
for (const c of "`~#-*_+0123456789") MARKS[c.charCodeAt(0)] = 1;

function startsBlock(c: number): boolean {
  return c < 128 && MARKS[c] === 1;
}

/** Indented enough to continue a list item: two spaces, or a tab. */
function isIndented(text: string, s: number, i: number): boolean {
  return i - s >= 2 || (i > s && text.charCodeAt(s) === 0x09);
}

/** Whether `[a, b)` holds only whitespace. */
function isBlankRange(text: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) if (text.charCodeAt(k) > 0x20) return false;
  return true;
}

function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf("\n", from); k !== -1 && k < to; k = text.indexOf("\n", k + 1)) count++;
  return count;
}
