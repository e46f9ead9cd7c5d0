/**
 * {@link BlobSearchIndex}: the built-in search engine (BM25F, plus cosine over vectors when
 * chunks carry them, fused by RRF) behind the {@link SearchIndex} port, persisted through any
 * blob store. Each scope (a knowledge base's domain and generation) keeps under
 * `<prefix><domain>/.botknobs/<generation>/index/` a head (`head.json`, replaced by
 * compare-and-set) listing immutable segments: a base with the whole index and the deltas of the
 * commits since. A commit writes one delta — its files only — and now and then a new base, so a
 * small change writes a small object. A process loads a scope on its first query and notices a
 * newer commit (by the head's etag) before answering. Given a `VectorStore` (`vectors`), the
 * chunks' vectors live there instead of in the segments (see external-vectors.ts).
 * @module
 */
import { folderPrefix } from "../../blob/list.ts";
import type { BlobStore } from "../../blob/types.ts";
import { AdapterError, RevisionGoneError, StaleIndexError, ValidationError } from "../../errors.ts";
import { KeyedLock } from "../../util/keyed-lock.ts";
import type { Bm25Options } from "./bm25/types.ts";
import { ExternalVectors, vectorHome } from "./external-vectors.ts";
import { validateFilter } from "./filter.ts";
import {
  headKeyOf,
  INDEX_FORMAT_VERSION,
  type IndexHead,
  indexPrefixOf,
  type SegmentRef,
  versionOfHead,
} from "./index-head.ts";
import { mergeHits } from "./merge.ts";
import { PastStates } from "./past-states.ts";
import { ScopeState, scopeKey } from "./scope-state.ts";
import type { DeltaFile } from "./segment.ts";
import type { SegmentStore } from "./segment-store.ts";
import { BlobIndexStage } from "./stage.ts";
import type {
  IndexCommit,
  IndexedSource,
  IndexHit,
  IndexQuery,
  IndexRevision,
  IndexScope,
  IndexStage,
  QueryScope,
  RevisionState,
  SearchIndex,
  SearchIndexCapabilities,
  StageOptions,
} from "./types.ts";
import type { VectorStore } from "./vector-store.ts";

/** Options of {@link BlobSearchIndex}. */
export interface BlobSearchIndexOptions {
  /** Where commits persist. Without one the index lives in this process only. */
  store?: BlobStore;
  /** Key prefix: give the knowledge backend's, and each index sits beside its knowledge base. */
  prefix?: string;
  /** BM25 parameters (see the bm25 module). */
  bm25?: Bm25Options;
  /** Look for a newer commit of a scope at most this often, in ms (default 0: before every query). */
  refreshMs?: number;
  /**
   * Gzip whole segments (default false: chunk texts are always stored in deflated blocks, and a
   * gzipped segment loads slower; worth it only where bytes cost more than time).
   */
  compress?: boolean;
  /** Write a new base once this many deltas pile up (default 16), or their chunks reach a quarter of the base's. */
  maxDeltas?: number;
  /** The clock, in ms (default `Date.now`). */
  now?: () => number;
  /**
   * Where chunk vectors live (default: in the index's own segments, in memory). Given a store
   * (`VectorizeVectorStore`, …), a commit writes its files' vectors there (ids naming knowledge
   * base, generation, file version and chunk; metadata `_botknobs_scope` naming the knowledge
   * base, which each query filters on) and waits until they show (the store's `settled()`, or its
   * `visibilityLagMs`) before its files go live; replaced and removed files' vectors are deleted
   * after it, and a knowledge base's when it is removed. The store's vector hits are fused with
   * BM25 as the built-in vectors are. The index initializes the store; closing it is the caller's.
   * While a past revision that holds a file version is kept (`keepRevisions`), its vectors stay.
   */
  vectors?: VectorStore;
  /**
   * How many revisions of a scope stay searchable (`query` with a scope's `revision`), the
   * current one included (default 10; 1 keeps only the current one). Every commit is a revision;
   * the head's segment chain keeps back to the base the oldest kept revision is built on, so a
   * kept revision costs the storage its commit wrote (a delta; a base for a rebuild or a
   * compaction). Needs a `store`: an index in memory keeps only the current revision.
   */
  keepRevisions?: number;
}

export type { IndexHead, SegmentRef } from "./index-head.ts";
export { INDEX_FORMAT_VERSION } from "./index-head.ts";

/** States of past revisions built at once, at most (each is a whole index in memory). */
const MAX_PAST_STATES = 4;

/**
 * The segment codec (with fflate, which it deflates chunk texts with), imported with the first
 * segment read or written, so that bundles that never persist an index leave it out.
 */
function segmentCodec(): Promise<typeof import("./segment.ts")> {
  return import("./segment.ts");
}

/** The storage side, loaded with the first read or write of a store: objects and their chain. */
interface Storage {
  io: SegmentStore;
  chain: typeof import("./segment-store.ts");
}

interface Loaded {
  scope: IndexScope;
  state: ScopeState;
  head: IndexHead | null;
  etag: string | null;
  checkedAt: number;
  /** Committed at least once (memory-only mode). */
  committed: boolean;
  /** The scope's version: the id of its last commit (`""`: none). */
  version: string;
}

/** The files a state holds, as the port reports them. */
function sourcesOf(state: ScopeState): Map<string, IndexedSource> {
  const out = new Map<string, IndexedSource>();
  for (const [path, s] of state.sources)
    out.set(path, { checksum: s.checksum, fingerprint: s.fingerprint, chunks: s.ids.length });
  return out;
}

const MAX_COMMIT_ATTEMPTS = 50;

/**
 * The built-in search index.
 * @example
 * const index = new BlobSearchIndex({ store: new FsBlobStore({ root: "./data/knowledge" }) });
 * const kb = new RAGKnowledgeBase({ index });
 */
export class BlobSearchIndex implements SearchIndex {
  readonly name: string = "blob";
  readonly capabilities: SearchIndexCapabilities;
  readonly store: BlobStore | null;
  readonly prefix: string;
  readonly #bm25: Bm25Options;
  readonly #refreshMs: number;
  readonly #compress: boolean;
  readonly #maxDeltas: number;
  readonly #now: () => number;
  readonly #loaded = new Map<string, Promise<Loaded>>();
  readonly #lock = new KeyedLock();
  readonly #external: ExternalVectors | null;
  readonly #keepRevisions: number;
  readonly #past = new PastStates<ScopeState>(MAX_PAST_STATES);
  #storage: Promise<Storage> | undefined;

  constructor(options: BlobSearchIndexOptions = {}) {
    const { keepRevisions = 10 } = options;
    if (!Number.isInteger(keepRevisions) || keepRevisions < 1)
      throw new ValidationError(
        `Invalid keepRevisions ${keepRevisions}: expected an integer ≥ 1 (1 keeps only the current revision)`,
      );
    this.#keepRevisions = keepRevisions;
    this.store = options.store ?? null;
    this.prefix = folderPrefix(options.prefix ?? "");
    this.#bm25 = options.bm25 ?? {};
    this.#refreshMs = options.refreshMs ?? 0;
    this.#compress = options.compress ?? false;
    this.#maxDeltas = options.maxDeltas ?? 16;
    this.#now = options.now ?? Date.now;
    this.#external = options.vectors ? new ExternalVectors(options.vectors) : null;
    this.capabilities = {
      lexical: true,
      vector: true,
      filters: ["eq", "in"],
      // Vectors kept in a store that forgets them would leave a reopened index lexical only.
      persistent: this.store !== null && (options.vectors?.capabilities.persistent ?? true),
      revisions: this.#history,
    };
  }

  /** True when past revisions are kept: a store to keep them in, and more than one to keep. */
  get #history(): boolean {
    return this.store !== null && this.#keepRevisions > 1;
  }

  /** The vector store keeping chunk vectors, or null when the segments keep them. */
  get vectors(): VectorStore | null {
    return this.#external?.store ?? null;
  }

  async initialize(): Promise<void> {
    await this.store?.initialize();
    await this.#external?.store.initialize();
  }

  async close(): Promise<void> {
    this.#loaded.clear();
  }

  /** The folder of a scope's index objects. */
  indexPrefix(scope: IndexScope): string {
    return indexPrefixOf(this.prefix, scope);
  }

  /** The storage side (only asked for where `store` is set), loaded once. */
  #lazy(): Promise<Storage> {
    this.#storage ??= import("./segment-store.ts").then((chain) => ({
      chain,
      io: new chain.SegmentStore({
        store: this.store as BlobStore,
        prefix: this.prefix,
        bm25: this.#bm25,
        external: this.#external,
        now: this.#now,
      }),
    }));
    return this.#storage;
  }

  async #io(): Promise<SegmentStore> {
    return (await this.#lazy()).io;
  }

  // ── loading ───────────────────────────────────────────────────────────────────────────────

  /** The scope as committed now (loading it, or catching up with newer commits). */
  async #current(scope: IndexScope, force = false): Promise<Loaded> {
    const key = scopeKey(scope);
    let pending = this.#loaded.get(key);
    if (!pending) {
      pending = this.#load(scope);
      this.#loaded.set(key, pending);
      pending.catch(() => this.#loaded.delete(key));
      return pending;
    }
    const loaded = await pending;
    if (this.store && (force || this.#now() - loaded.checkedAt >= this.#refreshMs))
      await this.#refresh(scope, loaded);
    return loaded;
  }

  async #load(scope: IndexScope): Promise<Loaded> {
    const empty = (): Loaded => ({
      scope,
      state: new ScopeState(scope.domainId, this.#bm25),
      head: null,
      etag: null,
      checkedAt: this.#now(),
      committed: false,
      version: "",
    });
    if (!this.store) return empty();
    const { io, chain } = await this.#lazy();
    const read = await io.readHead(scope);
    if (!read) return empty();
    const state = await io.build(scope, chain.currentChain(read.head.segments));
    return {
      scope,
      state,
      head: read.head,
      etag: read.etag,
      checkedAt: this.#now(),
      committed: true,
      version: versionOfHead(read.head),
    };
  }

  /** Catches up with commits made elsewhere: new deltas are applied, a new base is loaded. */
  async #refresh(scope: IndexScope, loaded: Loaded): Promise<void> {
    const store = this.store as BlobStore;
    const meta = await store.head(headKeyOf(this.prefix, scope));
    loaded.checkedAt = this.#now();
    if ((meta?.etag ?? null) === loaded.etag) return;
    const { io, chain } = await this.#lazy();
    const read = meta ? await io.readHead(scope) : null;
    if (!read) {
      Object.assign(loaded, {
        state: new ScopeState(scope.domainId, this.#bm25),
        head: null,
        etag: null,
        committed: false,
        version: "",
      });
      return;
    }
    // The segments after the last one taken in (a pruned start does not matter); when it is not
    // listed any more (a rebuild replaced the chain), the state is built again.
    const last = loaded.head?.segments.at(-1)?.key;
    const at = last === undefined ? -1 : read.head.segments.findIndex((ref) => ref.key === last);
    if (at >= 0) {
      const { applyDelta, stateFromBase } = await segmentCodec();
      for (const ref of chain.currentChain(read.head.segments.slice(at + 1))) {
        const segment = await io.segment(scope, ref);
        if (segment.kind === "base") loaded.state = stateFromBase(scope.domainId, segment);
        else applyDelta(loaded.state, segment);
      }
    } else loaded.state = await io.build(scope, chain.currentChain(read.head.segments));
    loaded.head = read.head;
    loaded.etag = read.etag;
    loaded.committed = true;
    loaded.version = versionOfHead(read.head);
  }

  // ── the port ──────────────────────────────────────────────────────────────────────────────

  async sources(scope: IndexScope): Promise<ReadonlyMap<string, IndexedSource>> {
    return sourcesOf((await this.#current(scope)).state);
  }

  /** Cheap: a scope not loaded yet is looked up by its head alone. */
  async exists(scope: IndexScope): Promise<boolean> {
    if (this.store && !this.#loaded.has(scopeKey(scope)))
      return (await this.store.head(headKeyOf(this.prefix, scope))) !== null;
    return (await this.#current(scope)).committed;
  }

  async stage(scope: IndexScope, options: StageOptions = {}): Promise<IndexStage> {
    const { commitId = crypto.randomUUID() } = options;
    if (typeof commitId !== "string" || commitId === "" || commitId.length > 200)
      throw new ValidationError("Invalid commitId: expected a string of 1-200 characters");
    const fresh = options.fresh === true;
    const exclusive = options.exclusive === true;
    let state: ScopeState;
    let version: string;
    let indexed: ReadonlyMap<string, IndexedSource> = new Map();
    if (fresh) {
      state = new ScopeState(scope.domainId, this.#bm25);
      version = await this.#versionNow(scope);
    } else {
      // An exclusive stage begins from the newest commit, so that it is not stale at once.
      const loaded = await this.#current(scope, exclusive);
      state = loaded.state;
      version = loaded.version;
      indexed = sourcesOf(state); // read with the version, in the same turn
    }
    const init = {
      embedding: options.embedding ?? null,
      fresh,
      vectorsInState: this.#external === null,
      version,
      indexed,
      exclusive,
      commitId,
    };
    return new BlobIndexStage(scope, state, init, (stage) => this.#commit(stage));
  }

  /**
   * The scope's version as stored now, without loading it (a rebuild does not read what it
   * replaces, which may be damaged: a head that cannot be read counts as none).
   */
  async #versionNow(scope: IndexScope): Promise<string> {
    if (!this.store) {
      const loaded = await this.#loaded.get(scopeKey(scope))?.catch(() => null);
      return loaded?.version ?? "";
    }
    const io = await this.#io();
    return versionOfHead((await io.readHead(scope).catch(() => null))?.head ?? null);
  }

  #stale(stage: BlobIndexStage, now: string): StaleIndexError {
    return new StaleIndexError(
      `The search index of knowledge base '${stage.scope.domainId}' moved on while this update was staged (it began from version '${stage.version}', another commit made it '${now}'): nothing was committed; plan the update again`,
    );
  }

  async #commit(stage: BlobIndexStage): Promise<IndexCommit> {
    const { scope } = stage;
    return this.#lock.run(scopeKey(scope), async () => {
      if (stage.fresh) return this.#commitFresh(stage);
      const loaded = await this.#current(scope, true);
      if (stage.exclusive && loaded.version !== stage.version) {
        stage.drop();
        throw this.#stale(stage, loaded.version);
      }
      const changes = stage.changes();
      await this.#external?.write(scope, stage.deltaFiles());
      if (this.store) await this.#persist(loaded, stage);
      // Staged into a state a newer base replaced meanwhile (another process compacted): again here.
      stage.replayInto(loaded.state);
      const replaced = this.#external?.replaced(loaded.state, changes) ?? [];
      const stats = loaded.state.commit(changes);
      if (stage.embedding !== null) loaded.state.embedding = stage.embedding;
      loaded.committed = true;
      loaded.version = stage.commitId;
      // Kept past revisions still hold the replaced versions: their vectors go when they do.
      if (!this.#history) await this.#external?.dropQuietly(scope, replaced);
      if (this.store) await this.#maybeCompact(scope, loaded);
      return {
        chunksAdded: stats.added,
        chunksRemoved: stats.removed,
        filesRemoved: stage.removedCount,
        version: stage.commitId,
      };
    });
  }

  /**
   * A rebuild: the stage's own state becomes the scope's, written whole as a new base. What was
   * there is not read (it may be the damaged index this replaces); the head is replaced as found.
   */
  async #commitFresh(stage: BlobIndexStage): Promise<IndexCommit> {
    const { scope } = stage;
    if (stage.exclusive && !this.store) {
      const now = await this.#versionNow(scope);
      if (now !== stage.version) throw this.#stale(stage, now);
    }
    await this.#external?.write(scope, stage.deltaFiles());
    // The vectors of what this replaces, when it is at hand (a damaged index is not read).
    const before = await this.#loaded.get(scopeKey(scope))?.catch(() => null);
    const stats = stage.state.commit(stage.changes());
    if (stage.embedding !== null) stage.state.embedding = stage.embedding;
    const loaded: Loaded = {
      scope,
      state: stage.state,
      head: null,
      etag: null,
      checkedAt: this.#now(),
      committed: true,
      version: stage.commitId,
    };
    let carried = false;
    if (this.store) {
      const { encodeBase } = await segmentCodec();
      const home = vectorHome(this.#external, stage.state.embedding, stage.hasVectors());
      const bytes = await encodeBase(stage.state, this.#compress, undefined, home);
      const io = await this.#io();
      const ref = await io.write(scope, "base", bytes, stage.state.liveCount, stage.commitId);
      for (let attempt = 0; ; attempt++) {
        const read = await io.readHead(scope).catch(() => null);
        if (stage.exclusive && versionOfHead(read?.head ?? null) !== stage.version) {
          await this.store.delete(ref.key).catch(() => {});
          // The vectors the scope holds now stay (a file version both hold shares its ids).
          const current = await this.#current(scope, true).catch(() => null);
          await this.#dropWritten(scope, stage, current?.state ?? null);
          throw this.#stale(stage, versionOfHead(read?.head ?? null));
        }
        // The head as found (even one that cannot be read: this rebuild replaces it).
        loaded.etag =
          read?.etag ?? (await this.store.head(headKeyOf(this.prefix, scope)))?.etag ?? null;
        // A chain that can be read goes on under the new base: its revisions stay searchable.
        loaded.head = read?.head ?? null;
        const chain = this.#history && read ? [...read.head.segments, ref] : [ref];
        if (await this.#putHead(scope, loaded, chain, stage.commitId)) {
          carried = chain.length > 1;
          break;
        }
        if (attempt >= MAX_COMMIT_ATTEMPTS)
          throw new AdapterError(
            "search-index",
            `the index of '${scope.domainId}' kept changing during a rebuild`,
          );
      }
      if (!carried) await this.#dropUnlisted(scope, [ref]);
    }
    this.#loaded.set(scopeKey(scope), Promise.resolve(loaded));
    if (this.#external && before && before.state !== stage.state && !carried)
      await this.#external.dropQuietly(
        scope,
        this.#external.missingFrom(before.state, stage.state),
      );
    return {
      chunksAdded: stats.added,
      chunksRemoved: stats.removed,
      filesRemoved: stage.removedCount,
      version: stage.commitId,
    };
  }

  /**
   * Drops the vectors an external store was given for a commit that did not land: those of the
   * stage's file versions that `state` (the scope as it is now; null: nothing) does not hold.
   */
  async #dropWritten(
    scope: IndexScope,
    stage: BlobIndexStage,
    state: ScopeState | null,
  ): Promise<void> {
    if (!this.#external) return;
    await this.#external.dropQuietly(scope, this.#external.notIn(state, stage.deltaFiles()));
  }

  /**
   * The segment of a commit: a delta with its files, or — for the first commit of a scope, when
   * nothing else is staged — a base, so the first load re-indexes nothing.
   */
  async #commitSegment(loaded: Loaded, stage: BlobIndexStage): Promise<SegmentRef> {
    const { scope } = stage;
    const state = loaded.state;
    const home = vectorHome(this.#external, stage.embedding ?? state.embedding, stage.hasVectors());
    // With an external store the vectors are there, not in the segments.
    const files: DeltaFile[] = stage
      .deltaFiles()
      .map((f) => (home === null ? f : { ...f, vectors: null }));
    const { encodeBase, encodeDelta, SegmentError } = await segmentCodec();
    if (!loaded.head && state.liveCount === 0 && state.bm25.size === stage.chunkCount()) {
      try {
        state.embedding ??= stage.embedding;
        const bytes = await encodeBase(state, this.#compress, files, home);
        return await (await this.#io()).write(
          scope,
          "base",
          bytes,
          stage.chunkCount(),
          stage.commitId,
        );
      } catch (error) {
        if (!(error instanceof SegmentError)) throw error;
      }
    }
    const bytes = await encodeDelta(
      scope.domainId,
      stage.embedding,
      files,
      stage.removedPaths(),
      this.#compress,
      home,
    );
    return (await this.#io()).write(scope, "delta", bytes, stage.chunkCount(), stage.commitId);
  }

  /**
   * Writes the commit's segment and lists it in the head by compare-and-set. When another process
   * committed meanwhile, its commits are taken in first (the stage's files are staged again if a
   * base of its replaced the state) and the segment goes after them.
   */
  async #persist(loaded: Loaded, stage: BlobIndexStage): Promise<void> {
    const store = this.store as BlobStore;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const ref = await this.#commitSegment(loaded, stage);
      const segments = ref.kind === "base" ? [ref] : [...(loaded.head?.segments ?? []), ref];
      if (await this.#putHead(stage.scope, loaded, segments, stage.commitId)) return;
      await store.delete(ref.key).catch(() => {});
      await this.#refresh(stage.scope, loaded);
      if (stage.exclusive) {
        // Another commit landed first: this one was planned against what it replaced.
        stage.drop();
        await this.#dropWritten(stage.scope, stage, loaded.state);
        throw this.#stale(stage, loaded.version);
      }
      stage.replayInto(loaded.state);
    }
    throw new AdapterError(
      "search-index",
      `the index of '${stage.scope.domainId}' kept changing under concurrent commits`,
    );
  }

  /**
   * Replaces the head by compare-and-set; `commitId` is the version it records. The chain is
   * cut to the newest `keepRevisions` revisions first; once the head is written, the segments
   * cut off are deleted (and, in an external store, the vectors only they held).
   */
  async #putHead(
    scope: IndexScope,
    loaded: Loaded,
    segments: SegmentRef[],
    commitId: string,
  ): Promise<boolean> {
    const store = this.store as BlobStore;
    const { chain } = await this.#lazy();
    const cut = chain.pruneChain(segments, this.#keepRevisions);
    const pruned = chain.rememberPruned(loaded.head?.pruned, cut.pruned);
    const head: IndexHead = {
      format: "botknobs.index",
      format_version: INDEX_FORMAT_VERSION,
      domain_id: scope.domainId,
      generation: scope.generation,
      commit: (loaded.head?.commit ?? 0) + 1,
      committed_at: new Date(this.#now()).toISOString(),
      segments: cut.kept,
      commit_id: commitId,
      ...(pruned.length > 0 ? { pruned } : {}),
    };
    const meta = await store.put(
      headKeyOf(this.prefix, scope),
      new TextEncoder().encode(JSON.stringify(head)),
      {
        contentType: "application/json",
        ...(store.capabilities.conditionalPut ? { ifMatch: loaded.etag } : {}),
      },
    );
    if (!meta) return false;
    loaded.head = head;
    loaded.etag = meta.etag;
    loaded.checkedAt = this.#now();
    loaded.version = commitId;
    if (cut.dropped.length > 0) {
      for (const revision of cut.pruned) this.#past.forget(this.#pastKey(scope, revision));
      if (this.#external) await this.#dropPrunedVectors(scope, cut.dropped, cut.kept);
      await store.delete(cut.dropped.map((ref) => ref.key)).catch(() => {}); // else: the sweep
    }
    return true;
  }

  /** Where the state of `scope` as of `revision` is kept among past states. */
  #pastKey(scope: IndexScope, revision: string): string {
    return `${scopeKey(scope)}\u0000${revision}`;
  }

  /**
   * Deletes from the external store the vectors of file versions that only the segments cut
   * off held (no kept revision has them). Failures are ignored: such vectors are never
   * answered (no state holds their chunks), they cost the store's room only.
   */
  async #dropPrunedVectors(
    scope: IndexScope,
    dropped: SegmentRef[],
    kept: SegmentRef[],
  ): Promise<void> {
    try {
      const external = this.#external as ExternalVectors;
      const io = await this.#io();
      const read = (refs: SegmentRef[]) => Promise.all(refs.map((r) => io.segment(scope, r)));
      const files = external.onlyIn(await read(dropped), await read(kept));
      await external.dropQuietly(scope, files);
    } catch {
      // A segment that cannot be read: its vectors stay (see above).
    }
  }

  /** A new base once the deltas pile up: loading stays one object plus a few. */
  async #maybeCompact(scope: IndexScope, loaded: Loaded): Promise<void> {
    const segments = loaded.head?.segments ?? [];
    const current = (await this.#lazy()).chain.currentChain(segments);
    const deltas = current.filter((s) => s.kind === "delta");
    if (deltas.length === 0) return;
    const base = current[0]?.kind === "base" ? current[0].chunks : 0;
    const deltaChunks = deltas.reduce((n, s) => n + s.chunks, 0);
    if (base > 0 && deltas.length < this.#maxDeltas && deltaChunks * 4 < base) return;
    // A base holds committed chunks only: while another update has chunks staged (or a running
    // query holds replaced ones), compact at a later commit.
    if (loaded.state.bm25.size !== loaded.state.liveCount) return;
    const { encodeBase } = await segmentCodec();
    const home = vectorHome(this.#external, loaded.state.embedding, false);
    const bytes = await encodeBase(loaded.state, this.#compress, undefined, home);
    const last = segments.at(-1);
    // The same content under a new base, added to the chain: the version stays (and so do the
    // revisions before it, until pruned).
    const ref = await (await this.#io()).write(
      scope,
      "base",
      bytes,
      loaded.state.liveCount,
      loaded.version,
      last?.committed_at ?? loaded.head?.committed_at,
    );
    if (!(await this.#putHead(scope, loaded, [...segments, ref], loaded.version)))
      await (this.store as BlobStore).delete(ref.key).catch(() => {}); // compact another time
  }

  /** Deletes the scope's segments the head no longer lists. */
  async #dropUnlisted(scope: IndexScope, keep: SegmentRef[]): Promise<void> {
    const listed = new Set([...keep.map((s) => s.key), headKeyOf(this.prefix, scope)]);
    const io = await this.#io();
    const stale = await io.keys(this.indexPrefix(scope), (key) => !listed.has(key));
    if (stale.length) await (this.store as BlobStore).delete(stale).catch(() => {});
  }

  async query(scopes: QueryScope[], query: IndexQuery): Promise<IndexHit[]> {
    const { k } = query;
    if (!Number.isInteger(k) || k < 1 || k > 1000)
      throw new ValidationError(`Invalid k ${k}: expected an integer 1–1000`);
    if (query.filter !== undefined) validateFilter(query.filter);
    const external = this.#external;
    const states = await Promise.all(
      scopes.map(async (asked) => {
        const { revision } = asked;
        const scope =
          revision === undefined
            ? asked
            : { domainId: asked.domainId, generation: asked.generation };
        const state =
          revision === undefined
            ? (await this.#current(scope)).state
            : await this.#asOf(scope, revision);
        if (!external) return { scope, state };
        return {
          scope,
          state,
          vectors: (vector: Float32Array, n: number, pass?: (id: string) => boolean) =>
            external.query(scope, state, vector, n, pass),
        };
      }),
    );
    return mergeHits(states, query);
  }

  /**
   * The state of `scope` as of `revision`: the current one, or a kept past one (built from its
   * segments once, then kept among a few). `RevisionGoneError` when the history no longer keeps
   * it; `ValidationError` naming `revision` when the scope never had it (as far as it knows).
   */
  async #asOf(scope: IndexScope, revision: string): Promise<ScopeState> {
    const loaded = await this.#current(scope);
    if (loaded.committed && revision === loaded.version) return loaded.state;
    // Only a persisted index has a head, and so a history (the storage side is loaded by then).
    const { io, chain } = loaded.head ? await this.#lazy() : { io: null, chain: null };
    const refs = loaded.head && chain ? chain.chainAsOf(loaded.head.segments, revision) : null;
    if (!refs || !io) {
      if (chain?.revisionState(loaded.head, revision) === "pruned")
        throw new RevisionGoneError(scope.domainId, revision);
      throw new ValidationError(
        `Invalid revision: '${revision}' is not a revision of knowledge base '${scope.domainId}' (GET /kb/${scope.domainId}/revisions lists those kept)`,
        [{ path: ["revision"], message: "not a revision of this knowledge base" }],
      );
    }
    return this.#past.get(this.#pastKey(scope, revision), () => io.build(scope, refs));
  }

  /**
   * The revisions of a scope that can be searched, newest (the current one) first: as many as
   * `keepRevisions` (more when they share a base), only the current one in memory.
   * @example
   * const [current, previous] = await index.revisions(scope);
   */
  async revisions(scope: IndexScope): Promise<IndexRevision[]> {
    const loaded = await this.#current(scope);
    if (loaded.head) return (await this.#lazy()).chain.revisionsOf(loaded.head);
    return loaded.committed ? [{ revision: loaded.version, committedAt: null, current: true }] : [];
  }

  /**
   * Whether `revision` of a scope can be searched (`kept`), was cut from its history
   * (`pruned`, as far as the head remembers), or is not one it knows (`unknown`).
   * @example
   * if ((await index.revisionState(scope, pin.revision)) !== "kept") refuse();
   */
  async revisionState(scope: IndexScope, revision: string): Promise<RevisionState> {
    const loaded = await this.#current(scope);
    if (loaded.committed && loaded.version === revision) return "kept";
    if (!loaded.head) return "unknown";
    return (await this.#lazy()).chain.revisionState(loaded.head, revision);
  }

  async remove(scope: IndexScope): Promise<boolean> {
    const key = scopeKey(scope);
    if (this.#external) {
      // The scope's vectors are found through its files: loaded (or loaded now) before they go.
      const current = await this.#current(scope).catch(() => null);
      if (current) await this.#external.dropQuietly(scope, this.#external.all(current.state));
      // And those only past revisions hold.
      const chain = current?.head?.segments ?? [];
      if (this.#history && chain.length > 0) await this.#dropPrunedVectors(scope, chain, []);
      this.#external.forget(scope);
    }
    this.#past.forget(this.#pastKey(scope, ""));
    const loaded = this.#loaded.get(key);
    this.#loaded.delete(key);
    let existed = loaded ? (await loaded.catch(() => null))?.committed === true : false;
    if (this.store) {
      const keys = await (await this.#io()).keys(this.indexPrefix(scope));
      existed ||= keys.includes(headKeyOf(this.prefix, scope));
      if (keys.length) await this.store.delete(keys);
    }
    return existed;
  }

  /**
   * Removes segments no head lists (written by a commit whose process died before it listed
   * them), older than `olderThanMs` by the index's clock (default one hour: commits in progress
   * are safe). Returns how many it removed.
   * @example
   * await index.sweep();
   */
  async sweep(options: { olderThanMs?: number } = {}): Promise<number> {
    const age = options.olderThanMs ?? 3_600_000;
    if (typeof age !== "number" || !(age >= 0))
      throw new ValidationError(`Invalid olderThanMs ${age}: expected a number of ms ≥ 0`);
    if (!this.store) return 0;
    const cutoff = this.#now() - age;
    let removed = 0;
    const io = await this.#io();
    for (const scope of await this.scopes()) {
      const read = await io.readHead(scope).catch(() => null);
      if (!read) continue;
      const listed = new Set([
        ...read.head.segments.map((s) => s.key),
        headKeyOf(this.prefix, scope),
      ]);
      const stale = await io.keys(
        this.indexPrefix(scope),
        (key, uploaded) => !listed.has(key) && uploaded < cutoff,
      );
      if (stale.length) await this.store.delete(stale);
      removed += stale.length;
    }
    return removed;
  }

  async scopes(): Promise<IndexScope[]> {
    const found: IndexScope[] = [];
    if (!this.store) {
      for (const pending of this.#loaded.values()) {
        const loaded = await pending.catch(() => null);
        if (loaded?.committed) found.push(loaded.scope);
      }
      return found;
    }
    const io = await this.#io();
    for (const domainPrefix of await io.prefixes(this.prefix)) {
      const domainId = domainPrefix.slice(this.prefix.length, -1);
      for (const genPrefix of await io.prefixes(`${domainPrefix}.botknobs/`)) {
        const generation = genPrefix.slice(`${domainPrefix}.botknobs/`.length, -1);
        const scope = { domainId, generation };
        if (await this.store.head(headKeyOf(this.prefix, scope))) found.push(scope);
      }
    }
    return found;
  }
}
