/**
 * {@link ScopeState}: one knowledge base's index in memory — chunks, file states, the BM25 index,
 * the vectors and which file versions are *live*. New chunks are staged invisibly, then one
 * synchronous `commit` swaps the live versions, so a query sees the scope before a change or
 * after it, never a mix. A chunk is live when its file's live version is the one in its id, so a
 * commit costs a step per file changed, not per chunk (a 60 MB file's half a million chunks go
 * live at once without blocking the thread). Replaced chunks are removed once no query that
 * might still see them is running.
 * @module
 */
import { fnv1a } from "../../util/fnv.ts";
import { ShardedMap } from "../../util/sharded-map.ts";
import { Bm25Index } from "./bm25/bm25.ts";
import type { Bm25Options } from "./bm25/types.ts";
import { type MetadataFilter, matchesFilter } from "./filter.ts";
import { MemoryVectorStore } from "./memory-vector-store.ts";
import { type IndexChunk, type IndexQuery, type IndexScope, metadataOf } from "./types.ts";
import type { VectorHit } from "./vector-store.ts";

/** A chunk as held: `id` is internal and carries its file's version, `chunkId` is stable. */
export interface StoredChunk extends IndexChunk {
  id: string;
}

/**
 * The port's fields of a chunk, copied: what a hit hands out (the internal id stays inside).
 * @example
 * hit.chunk = publicChunk(stored);
 */
export function publicChunk(c: IndexChunk): IndexChunk {
  return {
    chunkId: c.chunkId,
    source: c.source,
    chunkIndex: c.chunkIndex,
    text: c.text,
    headingPath: c.headingPath,
    headings: c.headings,
    lineNumber: c.lineNumber,
    metadata: c.metadata,
  };
}

/**
 * `c` as a scope holds it, under its internal `id` (a copy: the caller's object is not kept).
 * @example
 * const stored = storedChunk(chunk, internalId(path, chunk.chunkIndex, version));
 */
export function storedChunk(c: IndexChunk, id: string): StoredChunk {
  const stored = publicChunk(c) as StoredChunk;
  stored.id = id;
  return stored;
}

/** What a scope remembers of each file: its version and its chunks' internal ids, in order. */
export interface SourceState {
  checksum: string;
  fingerprint: string;
  ids: string[];
}

/** The separator of stable chunk ids (`<domain>\x1f<path>\x1f<position>`). */
export const ID_SEPARATOR = "\u001f";
const ID_SEPARATOR_CODE = 0x1f;

/** A short, stable hash of a string (FNV-1a, 32 bits, base 36). */
function shortHash(text: string): string {
  return (fnv1a(text) >>> 0).toString(36);
}

/**
 * The version of a file's chunks: its checksum's start and (hashed) the settings it was chunked
 * with, so re-chunking the same bytes differently gives new ids.
 */
export function versionOf(source: { checksum: string; fingerprint: string }): string {
  return `${source.checksum.slice(0, 12)}${shortHash(source.fingerprint)}`;
}

/**
 * The internal id of a chunk of one file version, unique within a scope (short: a scope holds
 * tens of thousands and every map of them hashes it).
 */
export function internalId(path: string, index: number, version: string): string {
  return `${path}${ID_SEPARATOR}${index}${ID_SEPARATOR}${version}`;
}

/** The key of a scope (a knowledge base's generation) in the maps that hold scopes. */
export function scopeKey(scope: IndexScope): string {
  return `${scope.domainId}${ID_SEPARATOR}${scope.generation}`;
}

/** The BM25 group of one file version (its chunks are scored together as a document). */
export function groupOf(path: string, version: string): string {
  return `${path}${ID_SEPARATOR}${version}`;
}

/**
 * A scope's vector side kept outside its state (an external vector store): the `n` best live
 * chunks for `vector` as internal ids, those `pass` refuses left out.
 */
export type VectorSide = (
  vector: Float32Array,
  n: number,
  pass: ((id: string) => boolean) | undefined,
) => Promise<VectorHit[]>;

/** Ranked candidates of one scope, before fusion. */
export interface ScopeHits {
  lexical: VectorHit[];
  vector: VectorHit[];
}

export class ScopeState {
  readonly domainId: string;
  readonly chunks: ShardedMap<string, StoredChunk> = new ShardedMap();
  readonly sources: Map<string, SourceState> = new Map();
  readonly bm25: Bm25Index;
  /** The embedding provider whose vectors this scope holds (null: none yet). */
  embedding: string | null = null;
  vectors: MemoryVectorStore | null = null;
  /** Path → its live version. Replaced, never mutated, so a query can hold one. */
  #live: ReadonlyMap<string, string> = new Map();
  /** How many chunks are live. */
  liveCount = 0;
  #queries = 0;
  #garbage: string[][] = [];

  constructor(domainId: string, bm25: Bm25Index | Bm25Options = {}) {
    this.domainId = domainId;
    this.bm25 = bm25 instanceof Bm25Index ? bm25 : new Bm25Index(bm25);
  }

  /** Makes the chunks of `sources` live as they are (a state loaded from a base segment). */
  loadLive(sources: Iterable<[string, SourceState]>): void {
    const live = new Map<string, string>();
    let count = 0;
    for (const [path, state] of sources) {
      this.sources.set(path, state);
      live.set(path, versionOf(state));
      count += state.ids.length;
    }
    this.#live = live;
    this.liveCount = count;
  }

  /** Adds one file version's chunks invisibly (not live until committed). */
  stage(
    path: string,
    version: string,
    chunks: StoredChunk[],
    vectors: Float32Array[] | null,
  ): void {
    const group = groupOf(path, version);
    for (const chunk of chunks) {
      this.chunks.set(chunk.id, chunk);
      this.bm25.add({
        id: chunk.id,
        group,
        fields: { heading: chunk.headingPath, text: chunk.text },
      });
    }
    if (vectors && vectors.length > 0) {
      this.vectors ??= new MemoryVectorStore();
      this.vectors.upsertSync(
        chunks.map((c, i) => ({ id: c.id, vector: vectors[i] as Float32Array })),
      );
    }
  }

  /**
   * Makes new file states visible in one step: `changes` maps a path to its new state, or to
   * `null` to remove the file. Chunks no longer referenced become garbage.
   */
  commit(changes: Map<string, SourceState | null>): { added: number; removed: number } {
    const live = new Map(this.#live);
    let added = 0;
    let removed = 0;
    for (const [path, next] of changes) {
      const before = this.sources.get(path);
      if (before && next && versionOf(before) === versionOf(next)) continue;
      if (before) {
        removed += before.ids.length;
        this.#garbage.push(before.ids);
      }
      if (next) {
        live.set(path, versionOf(next));
        added += next.ids.length;
        this.sources.set(path, next);
      } else {
        live.delete(path);
        this.sources.delete(path);
      }
    }
    this.#live = live;
    this.liveCount += added - removed;
    this.#collect();
    return { added, removed };
  }

  /** Whether the chunk `id` is live in `live` (a snapshot of the live versions). */
  #isLive(live: ReadonlyMap<string, string>, id: string): boolean {
    const chunk = this.chunks.get(id);
    const version = chunk && live.get(chunk.source);
    // The id ends with its version (see internalId), after the separator.
    return (
      version !== undefined &&
      id.endsWith(version) &&
      id.charCodeAt(id.length - version.length - 1) === ID_SEPARATOR_CODE
    );
  }

  /** Drops staged chunks that will never be committed. */
  discard(ids: string[]): void {
    this.#garbage.push(ids);
    this.#collect();
  }

  /** Marks a query as running: garbage is not collected until the returned release is called. */
  hold(): () => void {
    this.#queries++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#queries--;
      this.#collect();
    };
  }

  #collect(): void {
    if (this.#queries > 0 || this.#garbage.length === 0) return;
    const garbage = this.#garbage;
    this.#garbage = [];
    const dead: string[] = [];
    for (const ids of garbage) {
      for (const id of ids) {
        // An id that is live again (the same file version staged anew) stays.
        if (this.#isLive(this.#live, id)) continue;
        this.bm25.remove(id);
        this.chunks.delete(id);
        dead.push(id);
      }
    }
    if (this.vectors && dead.length) void this.vectors.delete(dead);
  }

  /** Live chunks in file order (what a snapshot of the scope writes). */
  *liveChunks(): IterableIterator<StoredChunk> {
    for (const state of this.sources.values())
      for (const id of state.ids) yield this.chunks.get(id) as StoredChunk;
  }

  /**
   * Ranked candidates for `q` (call inside `read`, with `pool` candidates per side): lexical by
   * BM25, vector by cosine when the scope holds vectors of `q.embedding` — its own, or through
   * `external` when they are kept in a vector store.
   */
  async candidates(q: IndexQuery, pool: number, external?: VectorSide): Promise<ScopeHits> {
    const live = this.#live;
    const filter: MetadataFilter | undefined = q.filter;
    // With nothing staged or waiting for collection, every indexed chunk is live: no check needed.
    const allLive = this.bm25.size === this.liveCount;
    const pass =
      allLive && !filter
        ? undefined
        : (id: string): boolean => {
            if (!allLive && !this.#isLive(live, id)) return false;
            if (!filter) return true;
            const chunk = this.chunks.get(id);
            return !!chunk && matchesFilter(metadataOf(this, chunk), filter);
          };
    const perSource = q.perSource === true;
    const lexical = q.text?.trim()
      ? this.bm25.search(q.text, {
          k: pool,
          collapseGroups: perSource,
          ...(pass ? { filter: pass } : {}),
        })
      : [];
    const n = perSource ? pool * 4 : pool;
    let vector: VectorHit[] = [];
    if (q.vector && this.embedding === (q.embedding ?? this.embedding)) {
      if (external) vector = this.liveCount > 0 ? await external(q.vector, n, pass) : [];
      else if (this.vectors) vector = await this.vectors.queryWhere(q.vector, n, pass);
    }
    return { lexical, vector };
  }
}
