/**
 * Posting lists in one pooled `Uint32Array`: each term owns a chain of blocks that double in size
 * (4, 8, … 4096 words), so adding a unit appends in place, and neither a new term nor a growing
 * one allocates an object of its own (tens of thousands of small typed arrays would dominate
 * indexing time and garbage collection).
 *
 * A block is `[next, capacity, ...payload]`; offset 0 means "no block". A posting entry is two
 * words: the unit number and `tf << 5 | field`. A unit's entries in one list are adjacent in
 * list order but may straddle two blocks.
 * @module
 */

const FIRST_BLOCK = 4;
const MAX_BLOCK = 4096;

/**
 * Every term's posting list.
 * @example
 * const p = new PostingPool(); p.reserve(1); p.push(0, 7, (1 << 5) | 0); p.count[0] // 1
 */
export class PostingPool {
  /** The blocks. Read it again after any push: growing replaces it. */
  pool: Uint32Array = new Uint32Array(1 << 14);
  /** Per term: its first block, last block, words used in the last block, and entry count. */
  head: Uint32Array = new Uint32Array(1024);
  tail: Uint32Array = new Uint32Array(1024);
  fill: Uint32Array = new Uint32Array(1024);
  count: Uint32Array = new Uint32Array(1024);
  #used = 2; // offsets 0 and 1 are never a block

  /**
   * A pool holding, for each term in order, `counts[t]` entries taken from `entries` (pairs
   * `unit, packed`), each list in one exact block: loading with bulk copies.
   */
  static fromLists(counts: Uint32Array, entries: Uint16Array | Uint32Array): PostingPool {
    const p = new PostingPool();
    const terms = counts.length;
    const total = entries.length >> 1;
    let sum = 0;
    for (let t = 0; t < terms; t++) sum += counts[t] as number;
    if (sum !== total) throw new RangeError(`posting counts add up to ${sum}, not ${total}`);
    p.pool = new Uint32Array(2 + 2 * terms + entries.length);
    p.reserve(terms);
    let at = 2;
    let from = 0;
    for (let t = 0; t < terms; t++) {
      const n = counts[t] as number;
      if (n === 0) continue;
      p.pool[at + 1] = 2 * n;
      p.pool.set(entries.subarray(from, from + 2 * n), at + 2);
      p.head[t] = at;
      p.tail[t] = at;
      p.fill[t] = 2 * n;
      p.count[t] = n;
      from += 2 * n;
      at += 2 + 2 * n;
    }
    p.#used = at;
    return p;
  }

  /** Makes room for term numbers below `terms`. */
  reserve(terms: number): void {
    if (terms <= this.head.length) return;
    const size = Math.max(terms, this.head.length * 2);
    const grown = (a: Uint32Array): Uint32Array => {
      const next = new Uint32Array(size);
      next.set(a);
      return next;
    };
    this.head = grown(this.head);
    this.tail = grown(this.tail);
    this.fill = grown(this.fill);
    this.count = grown(this.count);
  }

  #block(capacity: number): number {
    const at = this.#used;
    const end = at + 2 + capacity;
    if (end > this.pool.length) {
      const next = new Uint32Array(Math.max(end, this.pool.length * 2));
      next.set(this.pool);
      this.pool = next;
    }
    this.pool[at + 1] = capacity;
    this.#used = end;
    return at;
  }

  /**
   * Loading: gives term `t` one exact block for `entries` entries, marked full, and returns the
   * offset where its payload starts; the caller writes the `[unit, packed]` pairs there.
   */
  claim(t: number, entries: number): number {
    const b = this.#block(entries * 2);
    this.head[t] = b;
    this.tail[t] = b;
    this.fill[t] = entries * 2;
    this.count[t] = entries;
    return b + 2;
  }

  /** Makes room for `words` more words at once (loading, before many claims). */
  ensure(words: number): void {
    const end = this.#used + words;
    if (end <= this.pool.length) return;
    const next = new Uint32Array(end);
    next.set(this.pool.subarray(0, this.#used));
    this.pool = next;
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
    } else if (fill + 2 > (this.pool[b + 1] as number)) {
      const next = this.#block(Math.min(MAX_BLOCK, 2 * (this.pool[b + 1] as number)));
      this.pool[b] = next;
      this.tail[t] = next;
      b = next;
      fill = 0;
    }
    const pool = this.pool;
    pool[b + 2 + fill] = unit;
    pool[b + 3 + fill] = packed;
    this.fill[t] = fill + 2;
    this.count[t] = (this.count[t] as number) + 1;
  }

  /**
   * Calls `visit(unit, packed)` for each entry of term `t`, in order.
   * (Scoring walks the blocks itself; this is for the colder paths.)
   */
  forEach(t: number, visit: (unit: number, packed: number) => void): void {
    const pool = this.pool;
    const last = this.tail[t] as number;
    for (let b = this.head[t] as number; b !== 0; b = b === last ? 0 : (pool[b] as number)) {
      const end = b + 2 + (b === last ? (this.fill[t] as number) : (pool[b + 1] as number));
      for (let i = b + 2; i < end; i += 2) visit(pool[i] as number, pool[i + 1] as number);
    }
  }
}
