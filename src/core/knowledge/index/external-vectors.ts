/**
 * {@link ExternalVectors}: the chunk vectors of a `BlobSearchIndex` kept in a `VectorStore` given
 * to it (Vectorize, …) instead of in its segments. Each vector's id names its knowledge base,
 * generation, file version and chunk — `<fileKey>.<chunkIndex>`, the file key being the first
 * 128 bits of SHA-256(domain, generation, path, version) in hex, so an id is at most 43 bytes
 * (within Vectorize's 64, never hashed by the adapter) — and its metadata names the scope, so a
 * query is filtered to one knowledge base. A hit is mapped back to a chunk through the scope's
 * files, and only a live chunk is kept: vectors of replaced versions (a delete shows late) or of
 * commits not taken in yet are never answered.
 * @module
 */
import {
  groupOf,
  ID_SEPARATOR,
  internalId,
  type ScopeState,
  type SourceState,
  scopeKey,
  versionOf,
} from "./scope-state.ts";
import type { DeltaFile, Segment } from "./segment.ts";
import type { IndexScope } from "./types.ts";
import { SCOPE_FIELD, scopeFilterValue, sha256Text, untilVisible } from "./vector-scope.ts";
import type { VectorHit, VectorRecord, VectorStore } from "./vector-store.ts";

export { SCOPE_FIELD };

/** Records per `upsert` call (the store batches further as its engine needs). */
const UPSERT_BATCH = 1000;

/** One file version whose vectors are to be dropped. */
export interface DroppedFile {
  path: string;
  version: string;
  /** The chunks' internal ids (see `internalId`). */
  ids: readonly string[];
}

/** What is known of one scope: its filter value and its file keys, both ways. */
interface ScopeKeys {
  value: string;
  metadata: Readonly<Record<string, string>>;
  /** `path\x1fversion` → file key. */
  forward: Map<string, string>;
  /** File key → [path, version]. */
  reverse: Map<string, [string, string]>;
}

/**
 * The vectors of a `BlobSearchIndex` in an external store. One per index; scopes share the store.
 * @example
 * const external = new ExternalVectors(new VectorizeVectorStore({ index: env.VECTORS }));
 */
export class ExternalVectors {
  readonly store: VectorStore;
  readonly #scopes = new Map<string, ScopeKeys>();

  constructor(store: VectorStore) {
    this.store = store;
  }

  #keys(scope: IndexScope): ScopeKeys {
    const key = scopeKey(scope);
    let keys = this.#scopes.get(key);
    if (!keys) {
      const value = scopeFilterValue(scope);
      keys = {
        value,
        // One object for every record of the scope (a memory store keeps it by reference).
        metadata: Object.freeze({
          [SCOPE_FIELD]: value,
          domain_id: scope.domainId,
          generation: scope.generation,
        }),
        forward: new Map(),
        reverse: new Map(),
      };
      this.#scopes.set(key, keys);
    }
    return keys;
  }

  #fileKey(scope: IndexScope, keys: ScopeKeys, path: string, version: string): string {
    const name = groupOf(path, version);
    let fileKey = keys.forward.get(name);
    if (fileKey === undefined) {
      fileKey = sha256Text(
        [scope.domainId, scope.generation, path, version].join(ID_SEPARATOR),
      ).slice(0, 32);
      keys.forward.set(name, fileKey);
      keys.reverse.set(fileKey, [path, version]);
    }
    return fileKey;
  }

  /**
   * Writes the vectors of `files` and waits until they show in queries: the store's
   * `settled()`, or its declared `visibilityLagMs` when it has none. A commit calls it before
   * it makes its files live, so a query after the commit finds their vectors.
   */
  async write(scope: IndexScope, files: readonly DeltaFile[]): Promise<void> {
    const keys = this.#keys(scope);
    let records: VectorRecord[] = [];
    let wrote = false;
    for (const f of files) {
      if (!f.vectors) continue;
      const fileKey = this.#fileKey(scope, keys, f.path, versionOf(f.source));
      for (const [i, c] of f.chunks.entries()) {
        records.push({
          id: `${fileKey}.${c.chunkIndex}`,
          vector: f.vectors[i] as Float32Array,
          metadata: keys.metadata,
        });
        if (records.length === UPSERT_BATCH) {
          await this.store.upsert(records);
          records = [];
          wrote = true;
        }
      }
    }
    if (records.length > 0) await this.store.upsert(records);
    if (!wrote && records.length === 0) return;
    await untilVisible(this.store);
  }

  /** The file versions a commit of `changes` replaces or removes in `state`. */
  replaced(state: ScopeState, changes: ReadonlyMap<string, SourceState | null>): DroppedFile[] {
    const out: DroppedFile[] = [];
    for (const [path, next] of changes) {
      const before = state.sources.get(path);
      if (!before) continue;
      const version = versionOf(before);
      if (!next || versionOf(next) !== version) out.push({ path, version, ids: before.ids });
    }
    return out;
  }

  /** The file versions of `before` that `after` no longer holds (a fresh base replaced a scope). */
  missingFrom(before: ScopeState, after: ScopeState): DroppedFile[] {
    return this.all(before).filter((f) => {
      const next = after.sources.get(f.path);
      return !next || versionOf(next) !== f.version;
    });
  }

  /**
   * The file versions of `files` (a commit that did not land) that `state` — the scope as it is
   * now, null for none — does not hold: their vectors are no one's.
   */
  notIn(state: ScopeState | null, files: readonly DeltaFile[]): DroppedFile[] {
    const out: DroppedFile[] = [];
    for (const f of files) {
      const version = versionOf(f.source);
      const held = state?.sources.get(f.path);
      if (!held || versionOf(held) !== version)
        out.push({ path: f.path, version, ids: f.chunks.map((c) => c.id) });
    }
    return out;
  }

  /**
   * The file versions of segments `dropped` that no segment of `kept` holds: when a scope's
   * history is cut, no kept revision can answer with them.
   */
  onlyIn(dropped: readonly Segment[], kept: readonly Segment[]): DroppedFile[] {
    const held = new Set<string>();
    for (const segment of kept)
      for (const f of segment.files) held.add(groupOf(f.path, versionOf(f.state)));
    const out = new Map<string, DroppedFile>();
    for (const segment of dropped)
      for (const f of segment.files) {
        const version = versionOf(f.state);
        const group = groupOf(f.path, version);
        if (!held.has(group)) out.set(group, { path: f.path, version, ids: f.state.ids });
      }
    return [...out.values()];
  }

  /** Every committed file version of `state` (a whole scope's, when it is removed). */
  all(state: ScopeState): DroppedFile[] {
    return [...state.sources].map(([path, s]) => ({ path, version: versionOf(s), ids: s.ids }));
  }

  /** Deletes the vectors of `files`. */
  async drop(scope: IndexScope, files: readonly DroppedFile[]): Promise<void> {
    const keys = this.#keys(scope);
    const ids: string[] = [];
    for (const f of files) {
      const fileKey = this.#fileKey(scope, keys, f.path, f.version);
      // An internal id is `path \x1f index \x1f version`.
      const from = f.path.length + 1;
      for (const id of f.ids)
        ids.push(`${fileKey}.${id.slice(from, id.length - f.version.length - 1)}`);
      keys.forward.delete(groupOf(f.path, f.version));
      keys.reverse.delete(fileKey);
    }
    for (let i = 0; i < ids.length; i += UPSERT_BATCH)
      await this.store.delete(ids.slice(i, i + UPSERT_BATCH));
  }

  /**
   * The `n` best live chunks of `state` for `vector`, as internal ids: the store's best of the
   * scope (at most its `maxK`), mapped back to chunks, those `pass` refuses left out.
   */
  async query(
    scope: IndexScope,
    state: ScopeState,
    vector: Float32Array,
    n: number,
    pass: ((id: string) => boolean) | undefined,
  ): Promise<VectorHit[]> {
    const keys = this.#keys(scope);
    // Twice as many as needed, up to the store's maxK: hits that are left out (refused by a
    // filter, or vectors of replaced files whose delete does not show yet) leave room for the next.
    const k = Math.min(2 * n, this.store.capabilities.maxK ?? 2 * n);
    if (k < 1) return [];
    const found = await this.store.query(vector, { k, filter: { [SCOPE_FIELD]: keys.value } });
    const out: VectorHit[] = [];
    let synced = false;
    for (const hit of found) {
      const dot = hit.id.lastIndexOf(".");
      const fileKey = hit.id.slice(0, dot);
      let file = keys.reverse.get(fileKey);
      if (!file && !synced) {
        // Files committed by another process (taken in from its segments): learn their keys.
        for (const [path, s] of state.sources) this.#fileKey(scope, keys, path, versionOf(s));
        synced = true;
        file = keys.reverse.get(fileKey);
      }
      if (!file) continue;
      const id = internalId(file[0], Number(hit.id.slice(dot + 1)), file[1]);
      if (!state.chunks.has(id) || (pass && !pass(id))) continue;
      out.push({ id, score: hit.score });
      if (out.length === n) break;
    }
    return out;
  }

  /**
   * {@link drop}, its failure ignored: a commit is visible by then, and a stale vector is never
   * answered (no live chunk has its id), so it costs the store's room only.
   */
  async dropQuietly(scope: IndexScope, files: readonly DroppedFile[]): Promise<void> {
    if (files.length > 0) await this.drop(scope, files).catch(() => {});
  }

  /** Forgets what it knows of a scope (removed). */
  forget(scope: IndexScope): void {
    this.#scopes.delete(scopeKey(scope));
  }
}

/**
 * The vector store a segment names (null: the segments keep the vectors, or the scope has none —
 * a lexical-only index opens with or without a vector store).
 * @example
 * encodeDelta(domain, embedding, files, removed, gzip, vectorHome(external, embedding, true));
 */
export function vectorHome(
  external: ExternalVectors | null,
  embedding: string | null,
  hasVectors: boolean,
): string | null {
  return embedding !== null || hasVectors ? (external?.store.name ?? null) : null;
}

/**
 * Why a segment's vectors are not where this index keeps them (its segments, or a store of
 * another name), or null when they are (or it has none).
 * @example
 * const why = vectorHomeMismatch(external, segment); // "keeps its vectors in its segments, …"
 */
export function vectorHomeMismatch(
  external: ExternalVectors | null,
  segment: Segment,
): string | null {
  const here = external?.store.name ?? null;
  const there = segment.vectorStore;
  const hasVectors = there !== null || segment.files.some((f) => f.vectors !== null);
  if (!hasVectors || there === here) return null;
  const kept = there === null ? "in its segments" : `in vector store '${there}'`;
  return `keeps its vectors ${kept}, and this index was given vector store ${here === null ? "none" : `'${here}'`}`;
}
