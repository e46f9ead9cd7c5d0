/**
 * {@link BlockSegmentReader}: a block segment (format 2, `block-segment.ts`) answered from a blob
 * store by range. `openSegmentReader` (`segment-reader.ts`) opens it with two reads — its
 * preamble, then its header and resident sections — and each query reads only the postings
 * blocks of its terms, each hit's text only the text block holding it, through a
 * {@link BlockCache}; every block is checked against its CRC-32 as it arrives, and a damaged one
 * is named. Scoring is the BM25 index's own `Scorer` over the same numbers: the same answers.
 * @module
 */

import { inflateSync } from "fflate";
import type { BlobStore } from "../../blob/types.ts";
import { crc32 } from "../../util/crc32.ts";
import { ShardedMap } from "../../util/sharded-map.ts";
import { readAll } from "../../util/streams.ts";
import type { BlockCache } from "./block-cache.ts";
import { type BlockHeader, compareBytes } from "./block-segment.ts";
import { VarintReader } from "./bm25/codec.ts";
import { stateFromColumns } from "./bm25/columns.ts";
import { PostingPool } from "./bm25/postings.ts";
import { Scorer } from "./bm25/scorer.ts";
import type { IndexState } from "./bm25/state.ts";
import { createTokenizer, type Tokenizer } from "./bm25/tokenize.ts";
import { groupOf, internalId, type StoredChunk, versionOf } from "./scope-state.ts";
import { SegmentError } from "./segment.ts";
import { stableId } from "./segment-text.ts";

/** One hit of a {@link SegmentReader}: the chunk's internal id, its BM25 score, its chunk. */
export interface SegmentHit {
  id: string;
  score: number;
  /** Reads the chunk (its text block, for a block segment). */
  chunk(): Promise<StoredChunk>;
}

/** What a segment reader answers. */
export interface SegmentReader {
  /** The segment format read (1: whole, 2: by range). */
  readonly format: number;
  /** How many chunks the segment holds. */
  readonly size: number;
  /** The best `k` chunks for `text` by BM25, best first (`perSource`: one per file). */
  search(text: string, options: { k: number; perSource?: boolean }): Promise<SegmentHit[]>;
}

/** Reads `length` bytes of `key` from `offset`; SegmentError when missing or short. */
export async function readRange(
  store: BlobStore,
  key: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const body = await store.get(key, { range: { offset, length } });
  if (!body) throw new SegmentError(`segment ${key} is missing`);
  const bytes = await readAll(body.body);
  if (bytes.length !== length)
    throw new SegmentError(
      `segment ${key} is cut off (${bytes.length} of ${length} bytes at ${offset})`,
    );
  return bytes;
}

function u32(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.slice().buffer);
}

/** The last index `i` with `sorted[i] <= value` (−1 when none). */
function floorIndex(sorted: Uint32Array, value: number, length = sorted.length): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A block segment, read by range (opened by `openSegmentReader`). */
export class BlockSegmentReader implements SegmentReader {
  readonly format = 2;
  readonly #store: BlobStore;
  readonly #key: string;
  readonly #header: BlockHeader;
  readonly #cache: BlockCache;
  readonly #terms: Uint8Array;
  readonly #termOffsets: Uint32Array;
  readonly #starts: Uint32Array;
  readonly #df: Uint32Array;
  readonly #unitChunk: Uint32Array;
  readonly #postingCrcs: Uint32Array;
  readonly #textBlocks: Uint32Array;
  /** Per file: its first chunk's number (file order), and one more: the chunk count. */
  readonly #fileStarts: Uint32Array;
  readonly #versions: string[];
  readonly #base: IndexState;
  readonly #scorer = new Scorer();
  readonly #tokenize: Tokenizer;
  readonly #encoder = new TextEncoder();
  #files: Map<string, number> | undefined;

  constructor(
    store: BlobStore,
    key: string,
    header: BlockHeader,
    resident: Uint8Array,
    cache: BlockCache,
  ) {
    this.#store = store;
    this.#key = key;
    this.#header = header;
    this.#cache = cache;
    const section = (name: string): Uint8Array => {
      const at = header.sections[name];
      if (!at || at[0] + at[1] > resident.length)
        throw new SegmentError(`segment ${key} lacks ${name}`);
      return resident.subarray(at[0], at[0] + at[1]);
    };
    this.#terms = section("terms").slice();
    this.#termOffsets = u32(section("termOffsets"));
    this.#starts = u32(section("starts"));
    this.#df = u32(section("df"));
    this.#unitChunk = u32(section("unitChunk"));
    this.#postingCrcs = u32(section("postingCrcs"));
    this.#textBlocks = u32(section("textBlocks"));
    this.#fileStarts = new Uint32Array(header.sources.length + 1);
    for (const [i, row] of header.sources.entries())
      this.#fileStarts[i + 1] = (this.#fileStarts[i] as number) + row[4];
    this.#versions = header.sources.map(([, checksum, fingerprint]) =>
      versionOf({ checksum, fingerprint }),
    );
    const meta = header.bm25;
    const ids = Array.from(this.#unitChunk, (c) => this.#idOf(c));
    const groupFiles = u32(section("groupFiles"));
    const groups = Array.from(groupFiles, (f) =>
      groupOf(header.sources[f]?.[0] as string, this.#versions[f] as string),
    );
    // Everything a query needs but its postings: a state of no terms, given them per query.
    this.#base = stateFromColumns({
      options: meta.options,
      fields: meta.fields,
      ids,
      groups,
      unitGroups: u32(section("unitGroups")),
      lengths: meta.fields.map((_, f) => u32(section(`lengths.${f}`))),
      terms: [],
      counts: new Uint32Array(0),
      df: new Uint32Array(0),
      entries: new Uint32Array(0),
      unitEntries: new Uint32Array(meta.units),
    });
    this.#tokenize = createTokenizer(this.#base.options);
  }

  get size(): number {
    return this.#header.bm25.units;
  }

  /** The file of chunk number `c` (file order). */
  #fileOf(c: number): number {
    return floorIndex(this.#fileStarts, c, this.#header.sources.length);
  }

  #idOf(c: number): string {
    const f = this.#fileOf(c);
    return internalId(
      this.#header.sources[f]?.[0] as string,
      c - (this.#fileStarts[f] as number),
      this.#versions[f] as string,
    );
  }

  /** The dictionary number of `term`, or −1. */
  #termNumber(term: string): number {
    const want = this.#encoder.encode(term);
    let lo = 0;
    let hi = this.#header.bm25.terms - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#termOffsets[mid] as number;
      const c = compareBytes(this.#terms.subarray(at, this.#termOffsets[mid + 1] as number), want);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Postings blocks `first`–`last`, from the cache or in one ranged read, each checked. */
  async #postingBlocks(first: number, last: number): Promise<Uint8Array[]> {
    const size = this.#header.postingBlockBytes;
    const [start, length] = this.#header.postings;
    const out: Uint8Array[] = [];
    let missing = -1;
    const fetch = async (from: number, to: number): Promise<void> => {
      const offset = from * size;
      const bytes = await readRange(
        this.#store,
        this.#key,
        start + offset,
        Math.min(length, (to + 1) * size) - offset,
      );
      for (let b = from; b <= to; b++) {
        // Copied: a view would keep the whole read (and the stream's buffer) alive in the cache.
        const block = bytes.slice((b - from) * size, (b - from + 1) * size);
        if (crc32(block) !== this.#postingCrcs[b])
          throw new SegmentError(
            `segment ${this.#key}: postings block ${b} does not match its checksum`,
          );
        this.#cache.set(`${this.#key}#p${b}`, block);
        out[b - first] = block;
      }
    };
    for (let b = first; b <= last; b++) {
      const cached = this.#cache.get(`${this.#key}#p${b}`);
      if (cached) {
        if (missing >= 0) await fetch(missing, b - 1);
        missing = -1;
        out[b - first] = cached;
      } else if (missing < 0) missing = b;
    }
    if (missing >= 0) await fetch(missing, last);
    return out;
  }

  /** The entries of dictionary term `i` (pairs `unit, tf << 5 | field`). */
  async #entries(i: number): Promise<Uint16Array | Uint32Array> {
    const pair = 2 * this.#header.bm25.entryBytes;
    const size = this.#header.postingBlockBytes;
    const from = (this.#starts[i] as number) * pair;
    const to = (this.#starts[i + 1] as number) * pair;
    const blocks = await this.#postingBlocks(Math.floor(from / size), Math.floor((to - 1) / size));
    const bytes = new Uint8Array(to - from);
    let at = 0;
    let offset = from - Math.floor(from / size) * size;
    for (const block of blocks) {
      const piece = block.subarray(offset, Math.min(block.length, offset + bytes.length - at));
      bytes.set(piece, at);
      at += piece.length;
      offset = 0;
    }
    return this.#header.bm25.entryBytes === 2
      ? new Uint16Array(bytes.buffer)
      : new Uint32Array(bytes.buffer);
  }

  async search(text: string, options: { k: number; perSource?: boolean }): Promise<SegmentHit[]> {
    if (!Number.isInteger(options.k) || options.k < 0)
      throw new RangeError("k must be a non-negative integer");
    const terms = this.#tokenize(text);
    const known: string[] = [];
    const numbers: number[] = [];
    for (const term of new Set(terms)) {
      const i = this.#termNumber(term);
      if (i < 0) continue;
      known.push(term);
      numbers.push(i);
    }
    // The terms' blocks are read at once (one ranged read per run of blocks not cached).
    const lists = await Promise.all(numbers.map((i) => this.#entries(i)));
    const df = numbers.map((i) => this.#df[i] as number);
    const counts = Uint32Array.from(lists, (l) => l.length / 2);
    const wide = this.#header.bm25.entryBytes === 4;
    const entries = new (wide ? Uint32Array : Uint16Array)(lists.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const l of lists) {
      entries.set(l, at);
      at += l.length;
    }
    // The same scorer over the same numbers as a loaded index: the same scores, the same order.
    const termOf = new ShardedMap<string, number>();
    for (const [n, t] of known.entries()) termOf.set(t, n);
    const state: IndexState = {
      ...this.#base,
      terms: known,
      termOf,
      df: Uint32Array.from(df),
      postings: PostingPool.fromLists(counts, entries),
    };
    const hits = this.#scorer.search(state, {
      terms,
      k: options.k,
      filter: undefined,
      collapseGroups: options.perSource ?? false,
    });
    return hits.map((h) => ({ id: h.id, score: h.score, chunk: () => this.#chunkById(h.id) }));
  }

  async #chunkById(id: string): Promise<StoredChunk> {
    return this.#chunk(this.#chunkNumberOf(id));
  }

  /** The chunk number of an internal id (`<path>\x1f<index>\x1f<version>`). */
  #chunkNumberOf(id: string): number {
    const last = id.lastIndexOf("\u001f");
    const cut = id.lastIndexOf("\u001f", last - 1);
    this.#files ??= new Map(this.#header.sources.map((s, f) => [s[0], f]));
    const f = this.#files.get(id.slice(0, cut));
    if (f === undefined) throw new SegmentError(`segment ${this.#key} holds no chunk ${id}`);
    return (this.#fileStarts[f] as number) + Number(id.slice(cut + 1, last));
  }

  /** Chunk number `c` (file order), read from its text block. */
  async #chunk(c: number): Promise<StoredChunk> {
    const dir = this.#textBlocks;
    const blocks = dir.length / 4;
    let lo = 0;
    let hi = blocks - 1;
    let b = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((dir[mid * 4 + 3] as number) <= c) {
        b = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const raw = await this.#textBlock(b);
    const headLength = new DataView(raw.buffer, raw.byteOffset).getUint32(0, true);
    const rows = new VarintReader(raw.subarray(4, 4 + headLength));
    let at = 4 + headLength;
    for (let n = dir[b * 4 + 3] as number; ; n++) {
      const h = rows.read();
      const lineNumber = rows.read();
      const length = rows.read();
      if (n < c) {
        at += length;
        continue;
      }
      const f = this.#fileOf(c);
      const [path, , , metadata] = this.#header.sources[f] as BlockHeader["sources"][number];
      const chunkIndex = c - (this.#fileStarts[f] as number);
      const headings = this.#header.headings[h] ?? [];
      return {
        id: internalId(path, chunkIndex, this.#versions[f] as string),
        chunkId: stableId(this.#header.domain_id, path, chunkIndex),
        source: path,
        chunkIndex,
        headingPath: headings.join(" > "),
        headings,
        lineNumber,
        metadata: metadata as StoredChunk["metadata"],
        text: new TextDecoder().decode(raw.subarray(at, at + length)),
      };
    }
  }

  /** Text block `b`, inflated, from the cache or one ranged read (checked). */
  async #textBlock(b: number): Promise<Uint8Array> {
    const key = `${this.#key}#t${b}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const dir = this.#textBlocks;
    const bytes = await readRange(
      this.#store,
      this.#key,
      this.#header.text[0] + (dir[b * 4] as number),
      dir[b * 4 + 1] as number,
    );
    if (crc32(bytes) !== dir[b * 4 + 2])
      throw new SegmentError(`segment ${this.#key}: text block ${b} does not match its checksum`);
    const raw = inflateSync(bytes);
    this.#cache.set(key, raw);
    return raw;
  }
}
