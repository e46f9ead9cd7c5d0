/**
 * Packing blocks into chunks: whole blocks joined while they fit, oversized blocks split by kind.
 * @module
 */
import { type ContentBlock, parseBlocks } from "./markdown-blocks.ts";
import { fenceLength, isFenceCloser, isListItem } from "./markdown-lines.ts";
import { splitCode, splitTable } from "./split-blocks.ts";
import { type Piece, splitProse } from "./split-text.ts";

/**
 * A content block's text as it goes into a chunk; an unclosed fence gets its closing fence.
 * @example
 * const block = { kind: "code", start: 0, end: 11, line: 1, fence: "```", closed: false } as const;
 * blockText("```sh\nls -l", block); // "```sh\nls -l\n```"
 */
export function blockText(text: string, block: ContentBlock): string {
  const t = text.slice(block.start, block.end).trim();
  return block.kind === "code" && block.closed === false ? `${t}\n${block.fence}` : t;
}

/**
 * Collects blocks into pieces of at most `max` characters: consecutive blocks are joined with a
 * blank line while they fit; a block that does not fit starts a new piece; a block larger than
 * `max` is split ({@link splitBlock}) and its last piece may take the blocks that follow.
 * @example
 * const pieces: Piece[] = [];
 * const packer = new Packer(500, 50, (p) => pieces.push(p));
 * for (const b of parseBlocks(md)) if (b.kind !== "heading") packer.add(md, b);
 * packer.flush();
 */
export class Packer {
  private readonly max: number;
  private readonly overlap: number;
  private readonly separator: string;
  private readonly emit: (piece: Piece) => void;
  private readonly depth: number;
  private parts: string[] = [];
  private size = 0;
  private line = 0;

  /** `separator` joins the texts of one piece: a blank line between blocks, a newline between list items. */
  constructor(
    max: number,
    overlap: number,
    emit: (piece: Piece) => void,
    separator = "\n\n",
    depth = 0,
  ) {
    this.depth = depth;
    this.max = max;
    this.overlap = overlap;
    this.emit = emit;
    this.separator = separator;
  }

  /** Adds a block of `text`. */
  add(text: string, block: ContentBlock): void {
    const t = blockText(text, block);
    if (t === "") return;
    if (t.length <= this.max) {
      this.addText(t, block.line);
      return;
    }
    this.flush();
    const pieces = splitBlock(text, block, t, this.max, this.overlap, this.depth);
    const last = pieces.pop();
    for (const piece of pieces) this.emit(piece);
    if (last) this.addText(last.text, last.line);
  }

  /** Adds a text of at most `max` characters that starts on `line`. */
  addText(t: string, line: number): void {
    if (this.size > 0 && this.size + this.separator.length + t.length <= this.max) {
      this.parts.push(t);
      this.size += this.separator.length + t.length;
      return;
    }
    this.flush();
    this.parts = [t];
    this.size = t.length;
    this.line = line;
  }

  /** Emits the piece being packed, if any. */
  flush(): void {
    if (this.size === 0) return;
    const text =
      this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join(this.separator);
    this.emit({ text, line: this.line });
    this.parts = [];
    this.size = 0;
  }
}

/** How deep oversized list items are re-parsed as blocks. */
const MAX_LIST_DEPTH = 3;

/**
 * Splits one oversized block, by its kind, into pieces of at most `max` characters.
 * @example
 * splitBlock(md, block, blockText(md, block), 500, 50); // pieces of ≤ 500 characters
 */
export function splitBlock(
  text: string,
  block: ContentBlock,
  t: string,
  max: number,
  overlap: number,
  depth = 0,
): Piece[] {
  switch (block.kind) {
    case "code":
      return splitCode(t, block.line, max);
    case "table":
      return splitTable(t, block.line, max);
    case "list":
      // Items within items are re-parsed at most MAX_LIST_DEPTH deep; deeper is plain text, so
      // a pathological "- + - + - …" line costs a few passes, not one per marker.
      return depth < MAX_LIST_DEPTH
        ? splitList(text.slice(block.start, block.end), block.line, max, overlap, depth)
        : splitProse(t, block.line, max, overlap);
    default:
      return splitProse(t, block.line, max, overlap);
  }
}

function indentOf(line: string): number {
  let k = 0;
  while (k < line.length && (line.charCodeAt(k) === 0x20 || line.charCodeAt(k) === 0x09)) k++;
  return k;
}

/**
 * Splits a list (`src`, starting on `line`) by its top-level items, packed while they fit. An item
 * larger than `max` is parsed again without its marker and packed like a section: its paragraphs,
 * code fences and nested lists are kept whole or split by their own rules.
 * @example
 * splitList("- one\n- two\n- three", 1, 12, 0).map((p) => p.text); // ["- one\n- two", "- three"]
 */
export function splitList(
  src: string,
  line: number,
  max: number,
  overlap: number,
  depth = 0,
): Piece[] {
  const lines = src.split("\n");
  const base = indentOf(lines[0] as string);
  const pieces: Piece[] = [];
  const out = new Packer(max, 0, (p) => pieces.push(p), "\n");
  let fence = 0; // the length of the open fence, 0 outside code
  let fenceCode = 0;
  let itemStart = 0;
  const item = (from: number, to: number): void => {
    const text = lines.slice(from, to).join("\n").trimEnd();
    const at = line + from;
    if (text.trim() === "") return;
    if (text.trim().length <= max) {
      out.addText(text.trim(), at);
      return;
    }
    out.flush();
    // Drop the marker (and the blank after it) so the item's content is not parsed as a list again.
    const first = lines[from] as string;
    const i = indentOf(first);
    const marker = /^(?:[-*+]|\d{1,9}[.)])[ \t]?/.exec(first.slice(i))?.[0] ?? "";
    const content = `${" ".repeat(i + marker.length)}${text.slice(i + marker.length)}`;
    const inner = new Packer(max, overlap, (p) => pieces.push(p), "\n\n", depth + 1);
    for (const b of parseBlocks(content, 0, at, false))
      if (b.kind !== "heading") inner.add(content, b);
    inner.flush();
  };
  lines.forEach((l, k) => {
    const i = indentOf(l);
    if (fence > 0) {
      if (isFenceCloser(l, i, l.length, fenceCode, fence)) fence = 0;
      return;
    }
    fence = fenceLength(l, i, l.length);
    fenceCode = l.charCodeAt(i);
    if (fence === 0 && k > 0 && i <= base && isListItem(l, i, l.length)) {
      item(itemStart, k);
      itemStart = k;
    }
  });
  item(itemStart, lines.length);
  out.flush();
  return pieces;
}
