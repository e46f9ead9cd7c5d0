/**
 * {@link ShardedMap} and {@link ShardedSet}: a `Map` and a `Set` that never rehash all their
 * entries at once. A `Map` doubles its table when it fills, copying every entry in one step; at
 * half a million entries (the chunks of one 60 MB file) that step is tens to hundreds of
 * milliseconds with the thread blocked. Past {@link SPLIT_AT} entries these split into
 * {@link SHARDS} maps chosen by a hash of the key, so one insertion rehashes one small map at most.
 *
 * Shards of equal size would all fill up, and rehash, within a few insertions of each other: the
 * same pause in 64 pieces. So the shards take unequal shares of the keys, spread evenly over a
 * factor of two (shard `i` takes a share proportional to 2^(i/64)), and each doubles at its own
 * point of the collection's growth.
 * @module
 */
import { fnv1a } from "./fnv.ts";

/** Shards once split. */
export const SHARDS = 64;
/** Entries at which a one-map collection splits into shards (once; it never merges back). */
export const SPLIT_AT: number = 1 << 13;

// Hash values (their low 12 bits) to shards, shard i taking a share proportional to 2^(i/SHARDS).
const SLOTS = 4096;
const SLOT_SHARD = new Uint8Array(SLOTS);
{
  const weights = Array.from({ length: SHARDS }, (_, i) => 2 ** (i / SHARDS));
  const total = weights.reduce((a, b) => a + b, 0);
  let slot = 0;
  let cumulative = 0;
  for (let i = 0; i < SHARDS; i++) {
    cumulative += weights[i] as number;
    const end = i === SHARDS - 1 ? SLOTS : Math.round((cumulative / total) * SLOTS);
    for (; slot < end; slot++) SLOT_SHARD[slot] = i;
  }
}

/** The shard of `key`: by FNV-1a of a string's UTF-16 units, by the low bits of a number. */
function shardOf(key: string | number): number {
  let h = key as number;
  if (typeof key === "string") {
    h = fnv1a(key);
    h ^= h >>> 16;
  }
  return SLOT_SHARD[h & (SLOTS - 1)] as number;
}

/**
 * A `Map` of string or integer keys that grows without whole-table rehashes. The usual `Map`
 * methods; iteration visits every entry, in insertion order within each shard only.
 * @example
 * const chunks = new ShardedMap<string, number>();
 * chunks.set("faq.md#0", 0);
 * chunks.get("faq.md#0"); // 0
 */
export class ShardedMap<K extends string | number, V> {
  #shards: Map<K, V>[] = [new Map()];
  #size = 0;

  /** How many entries it holds. */
  get size(): number {
    return this.#size;
  }

  #shard(key: K): Map<K, V> {
    const shards = this.#shards;
    return (shards.length === 1 ? shards[0] : shards[shardOf(key)]) as Map<K, V>;
  }

  get(key: K): V | undefined {
    return this.#shard(key).get(key);
  }

  has(key: K): boolean {
    return this.#shard(key).has(key);
  }

  set(key: K, value: V): this {
    const shard = this.#shard(key);
    const before = shard.size;
    shard.set(key, value);
    if (shard.size !== before && ++this.#size >= SPLIT_AT && this.#shards.length === 1)
      this.#split();
    return this;
  }

  delete(key: K): boolean {
    const deleted = this.#shard(key).delete(key);
    if (deleted) this.#size--;
    return deleted;
  }

  clear(): void {
    this.#shards = [new Map()];
    this.#size = 0;
  }

  #split(): void {
    const one = this.#shards[0] as Map<K, V>;
    const shards: Map<K, V>[] = Array.from({ length: SHARDS }, () => new Map());
    for (const [key, value] of one) (shards[shardOf(key)] as Map<K, V>).set(key, value);
    this.#shards = shards;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const shard of this.#shards) yield* shard;
  }

  *keys(): IterableIterator<K> {
    for (const shard of this.#shards) yield* shard.keys();
  }

  *values(): IterableIterator<V> {
    for (const shard of this.#shards) yield* shard.values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/**
 * A `Set` of string or integer keys that grows without whole-table rehashes (see
 * {@link ShardedMap}).
 * @example
 * const units = new ShardedSet<number>().add(1).add(2);
 * units.has(2); // true
 */
export class ShardedSet<K extends string | number> {
  readonly #map = new ShardedMap<K, true>();

  /** How many keys it holds. */
  get size(): number {
    return this.#map.size;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  add(key: K): this {
    this.#map.set(key, true);
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  [Symbol.iterator](): IterableIterator<K> {
    return this.#map.keys();
  }
}
