/**
 * Posting lists in pooled `Uint32Array` pages: each term owns a chain of blocks that double in
 * size (4, 8, … 4096 words), so adding a unit appends in place, and neither a new term nor a
 * growing one allocates an object of its own (tens of thousands of small typed arrays would
 * dominate indexing time and garbage collection).
 *
 * The pool grows by adding pages, never by copying: one array doubled and copied would stall
 * the thread for as long as it takes to write hundreds of megabytes (indexing a 60 MB file).
 * A block address is `page << PAGE_BITS | offset`, and no block crosses a page.
 *
 * A block is `[next, capacity, ...payload]`; address 0 means "no block". A posting entry is two
 * words: the unit number and `tf << 5 | field`. A unit's entries in one list are adjacent in
 * list order but may straddle two blocks.
 * @module
 */

const FIRST_BLOCK = 4;
const MAX_BLOCK = 4096;
/** The largest page, in words (16 MiB): the low bits of a block address. */
export const PAGE_BITS = 22;
const PAGE_MASK = (1 << PAGE_BITS) - 1;
const PAGE_WORDS = 1 << PAGE_BITS;
/** Pages added while indexing hold this many words (4 MiB); loading sizes them to fit. */
const GROWTH_PAGE_WORDS = 1 << 20;
/** Pages at most: 2^(32 − PAGE_BITS), as addresses are 32-bit. */
const MAX_PAGES = 2 ** (32 - PAGE_BITS);

/**
 * Every term's posting list.
 * @example
 * const p = new PostingPool(); p.reserve(1); p.push(0, 7, (1 << 5) | 0); p.count[0] // 1
 */
export class PostingPool {
  /** The pages of blocks: block `b` is at `pages[b >>> PAGE_BITS]`, offset `b & PAGE_MASK`. */
  pages: Uint32Array[] = [new Uint32Array(1 << 14)];
  /** Per term: its first block, last block, words used in the last block, and entry count. */
  head: Uint32Array = new Uint32Array(1024);
  tail: Uint32Array = new Uint32Array(1024);
  fill: Uint32Array = new Uint32Array(1024);
  count: Uint32Array = new Uint32Array(1024);
  // The next free word of the last page; offsets 0 and 1 of page 0 are never a block.
  #used = 2;

  /**
   * A pool holding, for each term in order, `counts[t]` entries taken from `entries` (pairs
   * `unit, packed`), each list in as few blocks as its pages allow: loading with bulk copies.
   */
  static fromLists(counts: Uint32Array, entries: Uint16Array | Uint32Array): PostingPool {
    const p = new PostingPool();
    const terms = counts.length;
    const total = entries.length >> 1;
    let sum = 0;
    for (let t = 0; t < terms; t++) sum += counts[t] as number;
    if (sum !== total) throw new RangeError(`posting counts add up to ${sum}, not ${total}`);
    p.ensure(2 + 2 * terms + entries.length);
    p.reserve(terms);
    let from = 0;
    for (let t = 0; t < terms; t++) {
      const n = counts[t] as number;
      if (n === 0) continue;
      p.setList(t, entries, from, n);
      from += 2 * n;
    }
    return p;
  }

  /** Makes room for term numbers below `terms`. */
  reserve(terms: number): void {
    this.head = grow(this.head, terms);
    this.tail = grow(this.tail, terms);
    this.fill = grow(this.fill, terms);
    this.count = grow(this.count, terms);
  }

  /**
   * Grows one of the per-term arrays that is {@link nearFull} with `terms` terms, if any, and
   * says whether it did (see `growAhead` in `state.ts`).
   */
  growAhead(terms: number): boolean {
    if (nearFull(this.head.length, terms)) this.head = grow(this.head, this.head.length + 1);
    else if (nearFull(this.tail.length, terms)) this.tail = grow(this.tail, this.tail.length + 1);
    else if (nearFull(this.fill.length, terms)) this.fill = grow(this.fill, this.fill.length + 1);
    else if (nearFull(this.count.length, terms))
      this.count = grow(this.count, this.count.length + 1);
    else return false;
    return true;
  }

  /** The words left in the last page. */
  #spare(): number {
    return (this.pages.at(-1) as Uint32Array).length - this.#used;
  }

  /** Starts a page of `words` words (at most {@link PAGE_WORDS}). */
  #addPage(words: number): void {
    if (this.pages.length >= MAX_PAGES) throw new RangeError("the posting pool is full");
    this.pages.push(new Uint32Array(Math.min(PAGE_WORDS, words)));
    this.#used = 0;
  }

  /** A block of `capacity` payload words in the last page (a new page when it does not fit). */
  #block(capacity: number): number {
    if (this.#spare() < 2 + capacity) this.#addPage(Math.max(GROWTH_PAGE_WORDS, 2 + capacity));
    const page = this.pages.length - 1;
    const at = this.#used;
    (this.pages[page] as Uint32Array)[at + 1] = capacity;
    this.#used = at + 2 + capacity;
    return page * PAGE_WORDS + at; // not `<<`: addresses use all 32 bits, unsigned
  }

  /** Makes room for `words` more words in as few pages as possible (loading, before many lists). */
  ensure(words: number): void {
    if (words <= this.#spare()) return;
    const last = this.pages.length - 1;
    if (this.#used <= 2 && last === 0) {
      // Nothing stored yet: size the first page to fit (as much as a page can hold).
      this.pages[0] = new Uint32Array(Math.min(PAGE_WORDS, words));
      return;
    }
    this.#addPage(words);
  }

  /**
   * Loading: term `t`'s list is the `n` pairs of `entries` from word `from`, copied into one block
   * (or, should it not fit in a page, a chain of blocks), marked full.
   */
  setList(t: number, entries: Uint16Array | Uint32Array, from: number, n: number): void {
    let left = 2 * n;
    let previous = 0;
    while (left > 0) {
      // Whole pairs only, as many as the page holds; a page too full for one pair is left.
      let room = this.#spare() - 2;
      if (room < 2) {
        this.#addPage(Math.max(GROWTH_PAGE_WORDS, 2 + left));
        room = this.#spare() - 2;
      }
      const words = Math.min(left, room - (room & 1));
      const b = this.#block(words);
      const page = this.pages[b >>> PAGE_BITS] as Uint32Array;
      const at = b & PAGE_MASK;
      page.set(entries.subarray(from, from + words), at + 2);
      if (previous === 0) this.head[t] = b;
      else (this.pages[previous >>> PAGE_BITS] as Uint32Array)[previous & PAGE_MASK] = b;
      previous = b;
      this.fill[t] = words;
      from += words;
      left -= words;
    }
    this.tail[t] = previous;
    this.count[t] = n;
  }

  /** Appends one entry to the list of term `t` (reserved). */
  push(t: number, unit: number, packed: number): void {
    let b = this.tail[t] as number;
    let fill = this.fill[t] as number;
    if (b === 0) {
      b = this.#block(FIRST_BLOCK);
      this.head[t] = b;
      this.tail[t] = b;
      fill = 0;
    } else {
      const page = this.pages[b >>> PAGE_BITS] as Uint32Array;
      const at = b & PAGE_MASK;
      if (fill + 2 > (page[at + 1] as number)) {
        const next = this.#block(Math.min(MAX_BLOCK, 2 * (page[at + 1] as number)));
        page[at] = next;
        this.tail[t] = next;
        b = next;
        fill = 0;
      }
    }
    const page = this.pages[b >>> PAGE_BITS] as Uint32Array;
    const at = (b & PAGE_MASK) + 2 + fill;
    page[at] = unit;
    page[at + 1] = packed;
    this.fill[t] = fill + 2;
    this.count[t] = (this.count[t] as number) + 1;
  }

  /**
   * Calls `visit(unit, packed)` for each entry of term `t`, in order.
   * (Scoring walks the blocks itself; this is for the colder paths.)
   */
  forEach(t: number, visit: (unit: number, packed: number) => void): void {
    const last = this.tail[t] as number;
    for (let b = this.head[t] as number; b !== 0; ) {
      const page = this.pages[b >>> PAGE_BITS] as Uint32Array;
      const at = b & PAGE_MASK;
      const end = at + 2 + (b === last ? (this.fill[t] as number) : (page[at + 1] as number));
      for (let i = at + 2; i < end; i += 2) visit(page[i] as number, page[i + 1] as number);
      b = b === last ? 0 : (page[at] as number);
    }
  }
}

/**
 * Where block `b` lives: its page and its offset in it.
 * @example
 * const page = pool.pages[pageOf(b)], at = offsetOf(b);
 */
export function pageOf(b: number): number {
  return b >>> PAGE_BITS;
}

/** The offset of block `b` in its page (see {@link pageOf}). */
export function offsetOf(b: number): number {
  return b & PAGE_MASK;
}

type Growable = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** Arrays shorter than this grow when needed (a copy of less is no pause); longer ones ahead. */
const AHEAD_FROM = 1 << 16;

/**
 * Whether an array of `length` items with `used` in use should be grown ahead of need: it is
 * long (copying it takes a while) and three quarters full (see `growAhead` in `state.ts`).
 * @example
 * nearFull(1 << 16, 60_000) // true
 */
export function nearFull(length: number, used: number): boolean {
  return length >= AHEAD_FROM && used > length - (length >> 2);
}

/**
 * `array` if it holds `size` items, else a copy at least twice as large.
 * @example
 * grow(new Uint32Array(4), 10).length // 10
 */
export function grow<T extends Growable>(array: T, size: number): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2));
  next.set(array as never);
  return next;
}
