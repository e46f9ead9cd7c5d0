/**
 * Chunk texts in a segment: UTF-8 in blocks of about 16 KB, each deflated on its own, so a
 * loaded index keeps its texts compressed and inflates a block only when a chunk in it is read
 * (a search returns a handful; most chunks of a large index are never read in a process).
 * @module
 */
import { deflateSync, inflateSync } from "fflate";
import type { StoredChunk } from "./scope-state.ts";

/** Raw bytes per block before it is deflated (a block ends at the first chunk past this). */
export const TEXT_BLOCK_BYTES: number = 16 * 1024;

/** Collects chunk texts into deflated blocks. */
export class TextBlockWriter {
  readonly #encoder = new TextEncoder();
  readonly #blocks: Uint8Array[] = [];
  /** Per block: how many chunks it holds, and its deflated length. */
  readonly #table: number[] = [];
  #raw = new Uint8Array(TEXT_BLOCK_BYTES * 2);
  #length = 0;
  #chunks = 0;

  /** Adds one chunk's text; returns its length in bytes. */
  append(text: string): number {
    const need = this.#length + text.length * 3;
    if (need > this.#raw.length) {
      const grown = new Uint8Array(Math.max(need, this.#raw.length * 2));
      grown.set(this.#raw.subarray(0, this.#length));
      this.#raw = grown;
    }
    const { written } = this.#encoder.encodeInto(text, this.#raw.subarray(this.#length));
    this.#length += written;
    this.#chunks++;
    if (this.#length >= TEXT_BLOCK_BYTES) this.#seal();
    return written;
  }

  #seal(): void {
    if (this.#chunks === 0) return;
    const deflated = deflateSync(this.#raw.subarray(0, this.#length), { level: 6 });
    this.#blocks.push(deflated);
    this.#table.push(this.#chunks, deflated.length);
    this.#length = 0;
    this.#chunks = 0;
  }

  /** The deflated blocks one after another, and the block table (`[chunks, bytes]` per block). */
  finish(): { data: Uint8Array; table: Uint32Array } {
    this.#seal();
    const data = new Uint8Array(this.#blocks.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of this.#blocks) {
      data.set(b, at);
      at += b.length;
    }
    return { data, table: Uint32Array.from(this.#table) };
  }
}

const decoder = new TextDecoder();

/** The blocks of one segment, inflated on demand (each once). */
export class TextBlocks {
  readonly domainId: string;
  readonly #data: Uint8Array;
  readonly #offsets: number[] = [];
  readonly #lengths: number[] = [];
  readonly #inflated: (Uint8Array | undefined)[] = [];

  constructor(domainId: string, data: Uint8Array, table: Uint32Array) {
    this.domainId = domainId;
    this.#data = data;
    let at = 0;
    for (let b = 0; b < table.length; b += 2) {
      this.#offsets.push(at);
      this.#lengths.push(table[b + 1] as number);
      at += table[b + 1] as number;
    }
    if (at !== data.length) throw new RangeError("text blocks do not fill the text section");
  }

  /** The text of bytes `start`–`end` of block `b`. */
  text(b: number, start: number, end: number): string {
    let raw = this.#inflated[b];
    if (!raw) {
      const at = this.#offsets[b];
      if (at === undefined) throw new RangeError(`text block ${b} does not exist`);
      raw = inflateSync(this.#data.subarray(at, at + (this.#lengths[b] as number)));
      this.#inflated[b] = raw;
    }
    if (end > raw.length) throw new RangeError(`text block ${b} is shorter than its chunks`);
    return decoder.decode(raw.subarray(start, end));
  }
}

/** Where the chunks of a segment's text are, walking its rows in order. */
export class TextCursor {
  readonly #table: Uint32Array;
  #block = 0;
  #left: number;
  #at = 0;

  constructor(table: Uint32Array) {
    this.#table = table;
    this.#left = (table[0] as number | undefined) ?? 0;
  }

  /** The place of the next chunk, `length` bytes long. */
  next(length: number): [block: number, start: number, end: number] {
    while (this.#left === 0) {
      this.#block++;
      this.#at = 0;
      const chunks = this.#table[this.#block * 2];
      if (chunks === undefined) throw new RangeError("more chunks than the text blocks hold");
      this.#left = chunks;
    }
    this.#left--;
    const start = this.#at;
    this.#at += length;
    return [this.#block, start, this.#at];
  }

  /** Whether every block's chunks were walked. */
  get done(): boolean {
    return this.#left === 0 && (this.#block + 1) * 2 >= this.#table.length;
  }
}

/** The stable id of a chunk: `<domain>\x1f<path>\x1f<position>`. */
export function stableId(domainId: string, path: string, index: number): string {
  return `${domainId}\u001f${path}\u001f${index}`;
}

/**
 * A chunk read from a segment: its text is inflated and decoded the first time it is read, its
 * stable id made when asked for.
 */
export class LoadedChunk implements StoredChunk {
  readonly id: string;
  readonly source: string;
  readonly chunkIndex: number;
  readonly headingPath: string;
  readonly headings: string[];
  readonly lineNumber: number;
  readonly metadata: StoredChunk["metadata"];
  readonly #blocks: TextBlocks;
  readonly #block: number;
  readonly #start: number;
  readonly #end: number;
  #text: string | undefined;

  constructor(
    init: Omit<StoredChunk, "text" | "chunkId">,
    blocks: TextBlocks,
    place: [block: number, start: number, end: number],
  ) {
    this.id = init.id;
    this.source = init.source;
    this.chunkIndex = init.chunkIndex;
    this.headingPath = init.headingPath;
    this.headings = init.headings;
    this.lineNumber = init.lineNumber;
    this.metadata = init.metadata;
    this.#blocks = blocks;
    [this.#block, this.#start, this.#end] = place;
  }

  get chunkId(): string {
    return stableId(this.#blocks.domainId, this.source, this.chunkIndex);
  }

  get text(): string {
    this.#text ??= this.#blocks.text(this.#block, this.#start, this.#end);
    return this.#text;
  }
}
