/**
 * The storage behind a knowledge base: chunks, the BM25 index, the vector store, and the set of
 * *live* chunks. New chunks are staged invisibly, then one synchronous `commit` swaps the live
 * set, so a query sees a domain before an ingestion or after it, never a mix. Replaced chunks
 * are removed once no query that might still see them is running.
 * @module
 */

import type { SourceState, StoredChunk } from "../search/types.ts";
import type { Bm25Index } from "./bm25/bm25.ts";
import type { VectorRecord, VectorStore } from "./vector-store.ts";

/** A staged chunk with the text to index and, with embeddings, its vector. */
export interface StagedChunk {
  chunk: StoredChunk;
  /** Heading path (indexed as the `heading` field). */
  heading: string;
  vector: Float32Array | null;
}

/** The BM25 group of one version of a file (its chunks are scored together as a document). */
export function groupOf(domainId: string, source: string, version: string): string {
  return `${domainId}\u001f${source}\u001f${version}`;
}

export class IndexStore {
  readonly chunks: Map<string, StoredChunk> = new Map();
  readonly domains: Map<string, Map<string, SourceState>> = new Map();
  readonly bm25: Bm25Index;
  readonly vectors: VectorStore | null;
  /** Live internal ids. Replaced, never mutated, so a query can hold one version. */
  live: ReadonlySet<string> = new Set();
  #queries = 0;
  #garbage: string[][] = [];

  constructor(bm25: Bm25Index, vectors: VectorStore | null) {
    this.bm25 = bm25;
    this.vectors = vectors;
  }

  /** Adds chunks invisibly (not live until committed). */
  async stage(group: string, staged: StagedChunk[]): Promise<void> {
    for (const { chunk, heading } of staged) {
      this.chunks.set(chunk.id, chunk);
      this.bm25.add({ id: chunk.id, group, fields: { heading, text: chunk.text } });
    }
    if (this.vectors) {
      const records: VectorRecord[] = [];
      for (const s of staged) if (s.vector) records.push({ id: s.chunk.id, vector: s.vector });
      if (records.length) await this.vectors.upsert(records);
    }
  }

  /**
   * Makes a domain's new file states visible in one step: `changes` maps a path to its new
   * state, or to `null` to remove the file. Chunks no longer referenced become garbage.
   */
  commit(
    domainId: string,
    changes: Map<string, SourceState | null>,
  ): { added: number; removed: number } {
    const sources = new Map(this.domains.get(domainId) ?? []);
    const live = new Set(this.live);
    let added = 0;
    let removed = 0;
    for (const [path, next] of changes) {
      const before = sources.get(path);
      if (before && before.checksum === next?.checksum && before.fingerprint === next.fingerprint)
        continue;
      if (before) {
        for (const id of before.ids) live.delete(id);
        removed += before.ids.length;
        this.#garbage.push(before.ids);
      }
      if (next) {
        for (const id of next.ids) live.add(id);
        added += next.ids.length;
        sources.set(path, next);
      } else sources.delete(path);
    }
    if (sources.size) this.domains.set(domainId, sources);
    else this.domains.delete(domainId);
    this.live = live;
    this.#collect();
    return { added, removed };
  }

  /** Drops staged chunks that will never be committed. */
  discard(ids: string[]): void {
    this.#garbage.push(ids);
    this.#collect();
  }

  /** Runs `fn` as a query: garbage is not collected while it runs. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    this.#queries++;
    try {
      return await fn();
    } finally {
      this.#queries--;
      this.#collect();
    }
  }

  #collect(): void {
    if (this.#queries > 0 || this.#garbage.length === 0) return;
    const garbage = this.#garbage;
    this.#garbage = [];
    const dead: string[] = [];
    for (const ids of garbage) {
      for (const id of ids) {
        // An id that is live again (the same file version staged anew) stays.
        if (this.live.has(id)) continue;
        this.bm25.remove(id);
        this.chunks.delete(id);
        dead.push(id);
      }
    }
    if (this.vectors && dead.length) void this.vectors.delete(dead);
  }

  /** Forgets everything (all domains), or one domain. */
  clear(domainId?: string): void {
    if (domainId === undefined) {
      const all = [...this.domains.keys()];
      for (const d of all) this.clear(d);
      return;
    }
    const sources = this.domains.get(domainId);
    if (!sources) return;
    this.commit(domainId, new Map([...sources.keys()].map((p) => [p, null])));
  }
}
