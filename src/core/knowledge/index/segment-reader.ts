/**
 * {@link openSegmentReader}: a base segment answered from a blob store — by range when it is a
 * block segment (format 2, {@link BlockSegmentReader}), whole when it is a format-1 segment (as
 * `BlobSearchIndex` loads it today), behind one interface.
 * @module
 */
import type { BlobStore } from "../../blob/types.ts";
import { crc32 } from "../../util/crc32.ts";
import { readAll } from "../../util/streams.ts";
import { BlockCache } from "./block-cache.ts";
import {
  BlockSegmentReader,
  readRange,
  type SegmentHit,
  type SegmentReader,
} from "./block-reader.ts";
import {
  BLOCK_PREAMBLE,
  BLOCK_SEGMENT_FORMAT,
  type BlockHeader,
  SEGMENT_MAGIC,
} from "./block-segment.ts";
import type { StoredChunk } from "./scope-state.ts";
import { decodeSegment, SegmentError } from "./segment.ts";

export type { SegmentHit, SegmentReader };

/** Options of {@link openSegmentReader}. */
export interface SegmentReaderOptions {
  /** The block cache (shared between readers, or one of `cacheBytes`). */
  cache?: BlockCache;
  /** Bytes of the reader's own cache when none is given (default 8 MiB). */
  cacheBytes?: number;
}

/**
 * Opens the segment at `key`: by range when it is a block segment, whole otherwise. Throws
 * {@link SegmentError} naming what is damaged.
 * @example
 * const reader = await openSegmentReader(store, ref.key, { cacheBytes: 4 << 20 });
 * const hits = await reader.search("reset password", { k: 10 });
 */
export async function openSegmentReader(
  store: BlobStore,
  key: string,
  options: SegmentReaderOptions = {},
): Promise<SegmentReader> {
  const preamble = await readRange(store, key, 0, BLOCK_PREAMBLE);
  if (SEGMENT_MAGIC.some((b, i) => preamble[i] !== b))
    throw new SegmentError(`segment ${key} is not an index segment (bad magic)`);
  if (preamble[4] !== BLOCK_SEGMENT_FORMAT) {
    const body = await store.get(key);
    if (!body) throw new SegmentError(`segment ${key} is missing`);
    return WholeSegmentReader.of(await decodeSegment(await readAll(body.body)));
  }
  const view = new DataView(preamble.buffer, preamble.byteOffset);
  const headLength = view.getUint32(8, true);
  const residentLength = view.getUint32(12, true);
  const front = await readRange(store, key, BLOCK_PREAMBLE, headLength + residentLength);
  if (crc32(front) !== view.getUint32(16, true))
    throw new SegmentError(`segment ${key}: its header and dictionary do not match their checksum`);
  const header = JSON.parse(new TextDecoder().decode(front.subarray(0, headLength))) as BlockHeader;
  const cache = options.cache ?? new BlockCache(options.cacheBytes ?? 8 << 20);
  return new BlockSegmentReader(store, key, header, front.subarray(headLength), cache);
}

/** A format-1 segment, loaded whole (what `BlobSearchIndex` does with it today). */
class WholeSegmentReader implements SegmentReader {
  readonly format = 1;
  readonly #segment: Awaited<ReturnType<typeof decodeSegment>>;
  readonly #chunks = new Map<string, StoredChunk>();

  private constructor(segment: Awaited<ReturnType<typeof decodeSegment>>) {
    this.#segment = segment;
    for (const f of segment.files) for (const c of f.chunks) this.#chunks.set(c.id, c);
  }

  static of(segment: Awaited<ReturnType<typeof decodeSegment>>): WholeSegmentReader {
    if (!segment.bm25) throw new SegmentError("a delta segment is not read alone: read its base");
    return new WholeSegmentReader(segment);
  }

  get size(): number {
    return this.#chunks.size;
  }

  async search(text: string, options: { k: number; perSource?: boolean }): Promise<SegmentHit[]> {
    const hits =
      this.#segment.bm25?.search(text, {
        k: options.k,
        collapseGroups: options.perSource ?? false,
      }) ?? [];
    return hits.map((h) => ({
      id: h.id,
      score: h.score,
      chunk: async () => this.#chunks.get(h.id) as StoredChunk,
    }));
  }
}
