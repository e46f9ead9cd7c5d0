/**
 * The heading-aware markdown chunker.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { TurnBudget } from "../../util/turns.ts";
import { normalizeNewlines } from "./decode.ts";
import { frontMatterMarkdown, splitFrontMatter } from "./front-matter.ts";
import { type BlockCursor, blockCursor } from "./markdown-blocks.ts";
import { Packer } from "./pack.ts";

/**
 * A long document is chunked in turns: the event loop gets a turn (requests are served) once
 * `TURN_MS` of chunking or 4,096 blocks have gone by since the last one.
 */
const BLOCKS_PER_TURN = 4096;

/** The default chunk size, in characters (UTF-16 code units). */
export const DEFAULT_MAX_CHUNK_SIZE = 500;
/** The default overlap between consecutive pieces of one split paragraph, in characters. */
export const DEFAULT_CHUNK_OVERLAP = 50;

/** Options of {@link chunkMarkdown}. */
export interface ChunkOptions {
  /** The largest `text` of a chunk, in UTF-16 code units (default 500). */
  maxChunkSize?: number;
  /** Characters shared by consecutive pieces of one split paragraph (default 50; less than half of `maxChunkSize`). */
  chunkOverlap?: number;
  /** Whether a leading `---` block is YAML front matter (default `true`). */
  frontMatter?: boolean;
}

/** One chunk of a markdown document. */
export interface MarkdownChunk {
  /** The content: markdown of the blocks in this chunk, without the headings. */
  text: string;
  /** What to embed and index: the heading path, a blank line, then `text` (`text` alone without headings). */
  embeddingText: string;
  /** The headings above this chunk, outermost first (chunks of one section share the array). */
  headings: string[];
  /** Their levels (1–6), index for index. */
  headingLevels: number[];
  /** The headings joined with `" > "` (`""` without headings). */
  headingPath: string;
  /** The 1-based line of the original text where `text` begins (front matter included). */
  lineNumber: number;
}

/** The chunks of a markdown document and its front matter. */
export interface ChunkedMarkdown {
  chunks: MarkdownChunk[];
  /** The YAML front matter, parsed; `null` when there is none or it is not a valid YAML mapping. */
  frontMatter: Record<string, unknown> | null;
}

function checkOptions(options: ChunkOptions): { max: number; overlap: number } {
  const max = options.maxChunkSize ?? DEFAULT_MAX_CHUNK_SIZE;
  const overlap = options.chunkOverlap ?? DEFAULT_CHUNK_OVERLAP;
  if (!Number.isInteger(max) || max < 1) {
    throw new ValidationError(`Invalid maxChunkSize ${max}: expected an integer ≥ 1`, [
      { path: ["maxChunkSize"], message: "expected an integer ≥ 1" },
    ]);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap * 2 > max) {
    throw new ValidationError(
      `Invalid chunkOverlap ${overlap}: expected an integer from 0 to half of maxChunkSize (${max})`,
      [{ path: ["chunkOverlap"], message: "expected an integer from 0 to maxChunkSize / 2" }],
    );
  }
  return { max, overlap };
}

/**
 * Chunks markdown by its headings. Each chunk belongs to one heading section and records its
 * heading path; a heading with no content of its own gives no chunk, and no chunk is empty.
 *
 * - YAML front matter (`---` … `---` at the very start) is removed and returned parsed; one that
 *   is not a valid YAML mapping stays in the text as ordinary paragraphs and never throws.
 * - Blocks (paragraphs, code fences, tables, lists) are packed whole into a chunk while they fit
 *   in `maxChunkSize`, joined by a blank line. A block larger than that is split: prose at
 *   sentence ends, else between words, with `chunkOverlap` characters of overlap between its
 *   consecutive pieces; code by lines, each piece re-opening the fence with its info string;
 *   tables by rows, each piece repeating the header row (a row too wide to fit with the header
 *   becomes `Header: value` lines); lists by items (an oversized item by its own blocks).
 * - Fences: ``` or ~~~ at any indentation, closed by a run of the same character at least as
 *   long. An unclosed fence runs to the next heading line or the end of the text, and its chunk
 *   gets a closing fence.
 * - Sizes are UTF-16 code units (`string.length`). No chunk's `text` exceeds `maxChunkSize`: a
 *   single token longer than that (a huge URL, base64) is cut at the limit.
 * - CRLF/CR and a BOM are normalised first, so raw text can be passed too.
 * - A page whose front matter is all it has (no body text) is chunked from its front matter, as
 *   site-search engines index it: `title` as the heading, then `description`, `summary` and
 *   `keywords` ({@link frontMatterMarkdown}); those chunks are on line 1. Pages with a body are
 *   chunked from the body alone.
 *
 * It is asynchronous because front matter beyond flat `key: value` lines loads the `yaml` parser
 * on first use (kept out of the bundle until then), and because a long document is chunked in
 * turns of a few milliseconds each, so a server chunking a 60 MB file still answers meanwhile.
 * @example
 * const { chunks } = await chunkMarkdown("# FAQ\n\n## How do I reset my password?\n\nGo to settings...");
 * // chunks[0].headingPath === "FAQ > How do I reset my password?", chunks[0].text === "Go to settings..."
 */
export async function chunkMarkdown(
  markdown: string,
  options: ChunkOptions = {},
): Promise<ChunkedMarkdown> {
  const chunks: MarkdownChunk[] = [];
  const frontMatter = await eachChunk(markdown, options, (c) => {
    // The chunk handed over is this call's own: completed in place, not copied.
    const chunk = c as MarkdownChunk;
    chunk.embeddingText = embeddingTextOf(c);
    chunks.push(chunk);
  });
  return { chunks, frontMatter };
}

/** A chunk as {@link eachChunk} hands it over: a {@link MarkdownChunk} without `embeddingText`. */
export type FoundChunk = Omit<MarkdownChunk, "embeddingText">;

/**
 * What to embed for a chunk: its heading path, a blank line, then its text (the text alone
 * without headings); {@link MarkdownChunk}'s `embeddingText`.
 * @example
 * embeddingTextOf({ text: "Go to settings.", headingPath: "FAQ" }); // "FAQ\n\nGo to settings."
 */
export function embeddingTextOf(chunk: Pick<FoundChunk, "text" | "headingPath">): string {
  return chunk.headingPath === "" ? chunk.text : `${chunk.headingPath}\n\n${chunk.text}`;
}

/**
 * {@link chunkMarkdown} one chunk at a time: `onChunk` gets each chunk as it is found, in order,
 * and no list of them all is built (ingestion turns each into an index chunk at once, so a 60 MB
 * file's half a million chunks are not held twice). Resolves with the front matter.
 * @example
 * const texts: string[] = [];
 * await eachChunk("# FAQ\n\nAsk us.", {}, (c) => texts.push(c.text)); // texts: ["Ask us."]
 */
export async function eachChunk(
  markdown: string,
  options: ChunkOptions,
  onChunk: (chunk: FoundChunk) => void,
): Promise<Record<string, unknown> | null> {
  const { max, overlap } = checkOptions(options);
  const text = normalizeNewlines(markdown.charCodeAt(0) === 0xfeff ? markdown.slice(1) : markdown);
  const front =
    options.frontMatter === false
      ? { data: null, bodyStart: 0, bodyLine: 1 }
      : await splitFrontMatter(text);
  const found = await chunkBody(
    new BodyChunker(text, front.bodyStart, front.bodyLine, max, overlap, onChunk),
  );
  if (found === 0 && front.data !== null) {
    const page = frontMatterMarkdown(front.data);
    await chunkBody(
      new BodyChunker(page, 0, 1, max, overlap, (c) => onChunk({ ...c, lineNumber: 1 })),
    );
  }
  return front.data;
}

/** Runs `body` to its end a turn at a time, handing each chunk over; returns how many. */
async function chunkBody(body: BodyChunker): Promise<number> {
  const budget = new TurnBudget(BLOCKS_PER_TURN);
  // The work runs 64 blocks at a time in a plain method, which the engine optimises as it does
  // not an async function's loop.
  while (body.run(64)) {
    const turn = budget.spend(64);
    if (turn) await turn;
  }
  return body.found;
}

/**
 * `items[0, depth)` then `item`, as a new array: of the exact size when `items` was at least that
 * long (a sibling heading: the usual case); `push` alone would leave room for 16 more, and
 * `concat` takes its slow generic path.
 */
function replaceFrom<T>(items: T[], depth: number, item: T): T[] {
  const out = items.slice(0, depth + 1);
  if (out.length > depth) out[depth] = item;
  else out.push(item);
  return out;
}

/** The chunking of `text` from `bodyStart` (on line `bodyLine`), resumable between blocks. */
class BodyChunker {
  found = 0;
  readonly #text: string;
  readonly #cursor: BlockCursor;
  readonly #packer: Packer;
  #headings: string[] = [];
  #levels: number[] = [];
  #path = "";

  constructor(
    text: string,
    bodyStart: number,
    bodyLine: number,
    max: number,
    overlap: number,
    onChunk: (chunk: FoundChunk) => void,
  ) {
    this.#text = text;
    this.#cursor = blockCursor(text, bodyStart, bodyLine);
    this.#packer = new Packer(max, overlap, (piece) => {
      this.found++;
      onChunk({
        text: piece.text,
        headings: this.#headings,
        headingLevels: this.#levels,
        headingPath: this.#path,
        lineNumber: piece.line,
      });
    });
  }

  /** Chunks up to `blocks` more blocks; false once the text is done (the last chunk handed over). */
  run(blocks: number): boolean {
    for (let i = 0; i < blocks; i++) {
      const block = this.#cursor.next();
      if (block === null) {
        this.#packer.flush();
        return false;
      }
      if (block.kind !== "heading") {
        this.#packer.add(this.#text, block);
        continue;
      }
      this.#packer.flush();
      const levels = this.#levels;
      let depth = levels.length;
      while (depth > 0 && (levels[depth - 1] as number) >= block.level) depth--;
      this.#headings = replaceFrom(this.#headings, depth, block.title);
      this.#levels = replaceFrom(levels, depth, block.level);
      this.#path = this.#headings.join(" > ");
    }
    return true;
  }
}
