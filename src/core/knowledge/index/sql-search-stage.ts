/**
 * {@link SqlIndexStage}: a staged change of one scope of an engine-backed index. Files are kept
 * in memory as they are put — each chunk analysed by the built-in tokenizer then, so the work of
 * a long ingestion is spread over the run — and written in one transaction on `commit()`.
 * @module
 */
import { TurnBudget } from "../../util/turns.ts";
import { type Analysed, FileTerms } from "./sql-search-terms.ts";
import { checkStagedFile, checkStageOpen } from "./stage-checks.ts";
import type { IndexChunk, IndexCommit, IndexedSource, IndexScope, IndexStage } from "./types.ts";

/** A file put, as the commit writes it. */
export interface StagedFile {
  path: string;
  source: Omit<IndexedSource, "chunks">;
  chunks: IndexChunk[];
  /**
   * Each chunk's terms as the built-in tokenizer sees them, as JSON text (`FieldTerms`): text
   * holds a large knowledge base's staged terms in a fraction of the objects' memory.
   */
  terms: string[];
  /** Each chunk's heading and text lengths. */
  lengths: [number, number][];
  /** The file's terms (its chunks' summed), as JSON text, and its lengths. */
  file: { terms: string; lengths: [number, number] };
  vectors: Float32Array[] | null;
}

/** How a stage was begun (see `StageOptions`). */
export interface SqlStageInit {
  version: string;
  indexed: ReadonlyMap<string, IndexedSource>;
  embedding: string | null;
  fresh: boolean;
  exclusive: boolean;
  commitId: string;
}

/** Chunks analysed between two turns of the event loop. */
const CHUNKS_PER_TURN = 1000;

export class SqlIndexStage implements IndexStage {
  readonly scope: IndexScope;
  readonly version: string;
  readonly indexed: ReadonlyMap<string, IndexedSource>;
  readonly embedding: string | null;
  readonly fresh: boolean;
  readonly exclusive: boolean;
  readonly commitId: string;
  /** The files put, by path (a later put of a path replaces an earlier one). */
  readonly puts: Map<string, StagedFile> = new Map();
  /** The paths removed. */
  readonly removes: Set<string> = new Set();
  readonly #analyse: (chunk: IndexChunk) => Analysed;
  readonly #commit: (stage: SqlIndexStage) => Promise<IndexCommit>;
  readonly #budget = new TurnBudget(CHUNKS_PER_TURN);
  #done = false;

  constructor(
    scope: IndexScope,
    init: SqlStageInit,
    analyse: (chunk: IndexChunk) => Analysed,
    commit: (stage: SqlIndexStage) => Promise<IndexCommit>,
  ) {
    this.scope = scope;
    this.version = init.version;
    this.indexed = init.indexed;
    this.embedding = init.embedding;
    this.fresh = init.fresh;
    this.exclusive = init.exclusive;
    this.commitId = init.commitId;
    this.#analyse = analyse;
    this.#commit = commit;
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
    const terms: string[] = [];
    const lengths: [number, number][] = [];
    const file = new FileTerms();
    for (const chunk of chunks) {
      const analysed = this.#analyse(chunk);
      terms.push(JSON.stringify(analysed.terms));
      lengths.push(analysed.lengths);
      file.add(analysed);
      const turn = this.#budget.spend(1);
      if (turn) await turn;
    }
    this.#open();
    this.puts.set(path, {
      path,
      source: { checksum: source.checksum, fingerprint: source.fingerprint },
      chunks,
      terms,
      lengths,
      file: file.json(),
      vectors,
    });
    this.removes.delete(path);
  }

  remove(path: string): void {
    this.#open();
    this.puts.delete(path);
    this.removes.add(path);
  }

  async commit(): Promise<IndexCommit> {
    this.#open();
    this.#done = true;
    try {
      return await this.#commit(this);
    } finally {
      this.puts.clear(); // written (or refused): whoever holds the stage need not hold its files
    }
  }

  async abort(): Promise<void> {
    this.#done = true;
    this.puts.clear();
  }
}
