/**
 * {@link BlockCache}: the blocks of ranged index segments a process keeps, least recently used
 * dropped first, bounded in bytes (not in blocks: a postings block and an inflated text block
 * differ in size). A block larger than the whole cache is handed out but not kept.
 * @module
 */

/**
 * Blocks by key, at most `maxBytes` of them.
 * @example
 * const cache = new BlockCache(8 << 20); cache.set("seg#p3", bytes); cache.get("seg#p3");
 */
export class BlockCache {
  readonly maxBytes: number;
  readonly #blocks = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0)
      throw new RangeError(`a block cache needs a size in bytes ≥ 0, not ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** The bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The block, marked as just used; undefined when not held. */
  get(key: string): Uint8Array | undefined {
    const block = this.#blocks.get(key);
    if (block === undefined) return undefined;
    this.#blocks.delete(key);
    this.#blocks.set(key, block);
    return block;
  }

  /** Keeps a block, dropping the least recently used ones to stay within `maxBytes`. */
  set(key: string, block: Uint8Array): void {
    const before = this.#blocks.get(key);
    if (before !== undefined) {
      this.#blocks.delete(key);
      this.#bytes -= before.byteLength;
    }
    if (block.byteLength > this.maxBytes) return;
    this.#blocks.set(key, block);
    this.#bytes += block.byteLength;
    for (const [oldest, b] of this.#blocks) {
      if (this.#bytes <= this.maxBytes) break;
      this.#blocks.delete(oldest);
      this.#bytes -= b.byteLength;
    }
  }
}
