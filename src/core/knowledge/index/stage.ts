/**
 * {@link BlobIndexStage}: a staged change of one scope of the built-in index. Files are indexed
 * into the scope's state as they are put (invisibly: not live until commit), so the work of a
 * long ingestion is spread over the run; the stage also keeps what it put, to write the commit's
 * segment and to index it again should another process's commit replace the state meanwhile.
 * @module
 */
import { nextTurn, TurnBudget } from "../../util/turns.ts";
import {
  internalId,
  type ScopeState,
  type SourceState,
  type StoredChunk,
  storedChunk,
  versionOf,
} from "./scope-state.ts";
import type { DeltaFile } from "./segment.ts";
import { checkStagedFile, checkStageOpen } from "./stage-checks.ts";
import type { IndexChunk, IndexCommit, IndexedSource, IndexScope, IndexStage } from "./types.ts";

/**
 * A large file's chunks are indexed in batches of this many, with a turn of the event loop given
 * back (requests served) once `TURN_MS` of work or 1,000 chunks have gone by since the last one.
 */
const CHUNKS_PER_BATCH = 100;
const CHUNKS_PER_TURN = 1000;

/** How a {@link BlobIndexStage} was begun (see `StageOptions`). */
export interface StageInit {
  embedding: string | null;
  fresh: boolean;
  /** Whether vectors are indexed into the state (false: an external store keeps them). */
  vectorsInState: boolean;
  /** The scope's version the stage began from. */
  version: string;
  /** The files indexed at `version`. */
  indexed: ReadonlyMap<string, IndexedSource>;
  /** Commit only over `version`. */
  exclusive: boolean;
  /** The version the commit gives the scope. */
  commitId: string;
}

export class BlobIndexStage implements IndexStage {
  readonly scope: IndexScope;
  /** Where the files were staged (a fresh state for a rebuild). */
  state: ScopeState;
  readonly embedding: string | null;
  readonly fresh: boolean;
  readonly version: string;
  readonly indexed: ReadonlyMap<string, IndexedSource>;
  readonly exclusive: boolean;
  readonly commitId: string;
  /** Whether vectors are indexed into the state (false: an external store keeps them). */
  readonly #vectorsInState: boolean;
  readonly #puts = new Map<string, DeltaFile>();
  readonly #removes = new Set<string>();
  readonly #commit: (stage: BlobIndexStage) => Promise<IndexCommit>;
  readonly #budget = new TurnBudget(CHUNKS_PER_TURN);
  #done = false;

  constructor(
    scope: IndexScope,
    state: ScopeState,
    init: StageInit,
    commit: (stage: BlobIndexStage) => Promise<IndexCommit>,
  ) {
    this.scope = scope;
    this.state = state;
    this.embedding = init.embedding;
    this.fresh = init.fresh;
    this.version = init.version;
    this.indexed = init.indexed;
    this.exclusive = init.exclusive;
    this.commitId = init.commitId;
    this.#commit = commit;
    this.#vectorsInState = init.vectorsInState;
  }

  #open(): void {
    checkStageOpen(this.#done, this.scope);
  }

  async put(
    path: string,
    source: Omit<IndexedSource, "chunks">,
    chunks: IndexChunk[],
    vectors: Float32Array[] | null = null,
  ): Promise<void> {
    this.#open();
    checkStagedFile(path, chunks, vectors);
    const version = versionOf(source);
    const previous = this.#puts.get(path);
    const stored = await this.#stageInTurns(
      path,
      version,
      chunks,
      this.#vectorsInState ? vectors : null,
    );
    if (previous && versionOf(previous.source) !== version)
      this.state.discard(previous.chunks.map((c) => c.id));
    this.#puts.set(path, {
      path,
      source: { checksum: source.checksum, fingerprint: source.fingerprint },
      chunks: stored,
      vectors,
    });
    this.#removes.delete(path);
  }

  /**
   * Indexes `chunks` into the state in batches, a turn of the event loop between them. Should the
   * state be replaced meanwhile (another process's commit), the whole file is staged into the new
   * one; should the stage be aborted meanwhile, what was staged is dropped and the put fails.
   */
  async #stageInTurns(
    path: string,
    version: string,
    chunks: IndexChunk[],
    vectors: Float32Array[] | null,
  ): Promise<StoredChunk[]> {
    const state = this.state;
    const stored: StoredChunk[] = [];
    for (let i = 0; i < chunks.length; ) {
      const end = Math.min(chunks.length, i + CHUNKS_PER_BATCH);
      const batch: StoredChunk[] = [];
      for (let j = i; j < end; j++) {
        const c = chunks[j] as IndexChunk;
        batch.push(storedChunk(c, internalId(path, c.chunkIndex, version)));
      }
      for (const c of batch) stored.push(c);
      // The index's arrays grow a turn apart, ahead of the batches that need them.
      while (state.bm25.growAhead()) await nextTurn();
      state.stage(path, version, batch, vectors ? vectors.slice(i, end) : null);
      i = end;
      const turn = this.#budget.spend(batch.length);
      if (turn) await turn;
      if (this.#done) {
        state.discard(stored.slice(0, i).map((c) => c.id));
        this.#open();
      }
    }
    if (this.state !== state) {
      state.discard(stored.map((c) => c.id));
      this.state.stage(path, version, stored, vectors);
    }
    return stored;
  }

  remove(path: string): void {
    this.#open(); // synchronous, as it only records
    const previous = this.#puts.get(path);
    if (previous) {
      this.#puts.delete(path);
      this.state.discard(previous.chunks.map((c) => c.id));
    }
    this.#removes.add(path);
  }

  async commit(): Promise<IndexCommit> {
    this.#open();
    this.#done = true;
    return this.#commit(this);
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.drop();
  }

  /** Drops what was staged from the state (an abort, or a commit refused as stale). */
  drop(): void {
    this.state.discard([...this.#puts.values()].flatMap((f) => f.chunks.map((c) => c.id)));
  }

  /** Stages everything put into another state (the one another process's base replaced ours with). */
  replayInto(target: ScopeState): void {
    if (target === this.state) return;
    for (const f of this.#puts.values())
      target.stage(f.path, versionOf(f.source), f.chunks, this.#vectorsInState ? f.vectors : null);
    this.state = target;
  }

  /** The file-state changes to commit: removals, then the new file versions. */
  changes(): Map<string, SourceState | null> {
    const changes = new Map<string, SourceState | null>();
    for (const path of this.#removes) changes.set(path, null);
    for (const f of this.#puts.values())
      changes.set(f.path, { ...f.source, ids: f.chunks.map((c) => c.id) });
    return changes;
  }

  /** Whether any file put carries vectors. */
  hasVectors(): boolean {
    for (const f of this.#puts.values()) if (f.vectors) return true;
    return false;
  }

  deltaFiles(): DeltaFile[] {
    return [...this.#puts.values()];
  }

  removedPaths(): string[] {
    return [...this.#removes];
  }

  /** How many paths the commit removes. */
  get removedCount(): number {
    return this.#removes.size;
  }

  /** How many chunks the commit puts. */
  chunkCount(): number {
    let n = 0;
    for (const f of this.#puts.values()) n += f.chunks.length;
    return n;
  }
}
