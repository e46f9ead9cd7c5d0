/**
 * A cache from words to their term numbers for indexing, built for speed: an open-addressing
 * hash table over typed arrays that is probed with a slice of the text (start, end, hash) so a
 * word seen before costs no substring, no allocation and no `Map` hashing. Text is scanned by
 * {@link countWords}, which hashes ASCII words as it goes and hands runs with other characters to
 * the Unicode-aware splitter.
 * @module
 */
import { FNV_OFFSET, FNV_PRIME, fnv1a } from "../../../util/fnv.ts";
import { splitWords } from "./tokenize.ts";

// ASCII classes: 1 = letter or digit, 2 = connector (' , . - _) kept between two word characters.
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = 1;
for (let c = 97; c <= 122; c++) ASCII[c] = 1;
for (const c of "',.-_") ASCII[c.charCodeAt(0)] = 2;

/**
 * Word → term numbers (none, one or several), probed by text slice.
 * @example
 * const e = table.find(text, start, end, hash); if (e < 0) table.insert(word, hash, [termNumber]);
 */
export class WordTable {
  #keys: string[] = [];
  #hashes: Int32Array = new Int32Array(1024);
  // ≥ 0: one term number; -1: no term (a stopword); ≤ -2: -2 - index into #multi.
  #values: Int32Array = new Int32Array(1024);
  #multi: Int32Array[] = [];
  #slots: Int32Array = new Int32Array(2048);
  #mask = 2047;

  /** How many words are cached. */
  get size(): number {
    return this.#keys.length;
  }

  /** Forgets every word (in place: callers holding the table keep a valid one). */
  clear(): void {
    this.#keys = [];
    this.#multi = [];
    this.#slots.fill(0);
  }

  /** The entry of `text[start, end)` with hash `hash`, or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    let slot = hash & this.#mask;
    for (;;) {
      const e = (this.#slots[slot] as number) - 1;
      if (e < 0) return -1;
      if (this.#hashes[e] === hash) {
        const key = this.#keys[e] as string;
        if (key.length === length) {
          let i = 0;
          while (i < length && key.charCodeAt(i) === text.charCodeAt(start + i)) i++;
          if (i === length) return e;
        }
      }
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Caches the term numbers of `word` (its {@link fnv1a}, the value {@link countWords} computes while scanning); returns its entry. */
  insert(word: string, hash: number, terms: readonly number[]): number {
    const e = this.#keys.length;
    if (e >= this.#hashes.length) {
      const hashes = new Int32Array(e * 2);
      hashes.set(this.#hashes);
      this.#hashes = hashes;
      const values = new Int32Array(e * 2);
      values.set(this.#values);
      this.#values = values;
    }
    this.#keys.push(word);
    this.#hashes[e] = hash;
    if (terms.length === 1) this.#values[e] = terms[0] as number;
    else if (terms.length === 0) this.#values[e] = -1;
    else this.#values[e] = -2 - (this.#multi.push(Int32Array.from(terms)) - 1);
    // Keep the load factor at or below one half.
    if (2 * (e + 1) > this.#slots.length) this.#rehash(this.#slots.length * 2);
    else this.#place(e);
    return e;
  }

  /** The single term number of entry `e` (≥ 0), -1 for none, or ≤ -2 for several. */
  value(e: number): number {
    return this.#values[e] as number;
  }

  /** The term numbers of an entry whose {@link WordTable.value} is ≤ -2. */
  multi(value: number): Int32Array {
    return this.#multi[-2 - value] as Int32Array;
  }

  #place(e: number): void {
    let slot = (this.#hashes[e] as number) & this.#mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#slots[slot] = e + 1;
  }

  #rehash(size: number): void {
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
    for (let e = 0; e < this.#keys.length; e++) this.#place(e);
  }
}

/**
 * The term counts of one field being indexed; reused from field to field.
 * @example
 * const c = new TermCounts(); c.reserve(8); c.add(3); c.add(3); c.tf[3] // 2
 */
export class TermCounts {
  /** Occurrences per term number (zero for every term not in {@link TermCounts.distinct}). */
  tf: Uint32Array = new Uint32Array(1024);
  /** The distinct term numbers counted, in first-seen order (the first `size`). */
  distinct: Uint32Array = new Uint32Array(256);
  size = 0;
  /** The number of terms counted, repeats included. */
  length = 0;

  /** Makes room for term numbers below `terms`. */
  reserve(terms: number): void {
    if (terms > this.tf.length) {
      const tf = new Uint32Array(Math.max(terms, this.tf.length * 2));
      tf.set(this.tf);
      this.tf = tf;
    }
  }

  /** Counts one occurrence of term `t` (reserved). */
  add(t: number): void {
    const tf = this.tf;
    if (tf[t] === 0) {
      if (this.size === this.distinct.length) {
        const distinct = new Uint32Array(this.size * 2);
        distinct.set(this.distinct);
        this.distinct = distinct;
      }
      this.distinct[this.size++] = t;
    }
    tf[t] = (tf[t] as number) + 1;
    this.length++;
  }

  /** Forgets every count. */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.tf[this.distinct[i] as number] = 0;
    this.size = 0;
    this.length = 0;
  }
}

/**
 * `source.slice(start, end)` as a string of its own. Engines may return a long slice as a view
 * that keeps the whole source alive (V8 does from 13 characters); a cached word must not pin the
 * text of the document it came from.
 */
function ownString(source: string, start: number, end: number): string {
  const slice = source.slice(start, end);
  return end - start < 13 ? slice : ` ${slice}`.slice(1);
}

/**
 * Counts the terms of normalised `text` into `counts`, finding the same words as
 * {@link splitWords}. ASCII words are hashed during the scan and probed as slices of `text`; a run
 * holding other characters is split with the Unicode-aware regex. `resolve(word, hash)` is called
 * for each word not yet in `table`: it must analyse the word, insert it and return its entry.
 * @example
 * countWords(table, normalizeText(text), counts, (word, hash) => table.insert(word, hash, termsOf(word)));
 */
export function countWords(
  table: WordTable,
  text: string,
  counts: TermCounts,
  resolve: (word: string, hash: number) => number,
): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c < 128 && ASCII[c] !== 1) {
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    let plain = true;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c >= 128) plain = false;
      else if (ASCII[c] !== 1) {
        // A connector joins only when a word character (or a non-ASCII one) follows.
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (ASCII[c] !== 2 || (next < 128 && ASCII[next] !== 1)) break;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      i++;
    }
    if (plain) {
      let e = table.find(text, start, i, h);
      if (e < 0) e = resolve(ownString(text, start, i), h);
      countEntry(table, e, counts);
    } else {
      for (const word of splitWords(text.slice(start, i))) {
        const wh = fnv1a(word);
        let e = table.find(word, 0, word.length, wh);
        if (e < 0) e = resolve(word, wh);
        countEntry(table, e, counts);
      }
    }
  }
}

function countEntry(table: WordTable, e: number, counts: TermCounts): void {
  const v = table.value(e);
  if (v >= 0) counts.add(v);
  else if (v <= -2) for (const t of table.multi(v)) counts.add(t);
}
