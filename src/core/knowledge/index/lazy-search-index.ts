/**
 * {@link LazySearchIndex}: a {@link SearchIndex} whose implementation is loaded on first use, so
 * a factory that knows several engines (`sqlite`, `postgres` in `botknobs/node`) loads the code
 * of the one asked for only — and its driver or client only when it connects.
 * @module
 */

import * as z from "zod/mini";
import { LoadOnce } from "../../util/once.ts";
import type {
  IndexedSource,
  IndexHit,
  IndexQuery,
  IndexScope,
  IndexStage,
  SearchIndex,
  SearchIndexCapabilities,
  StageOptions,
} from "./types.ts";

/**
 * Forwards every call to the index `load` makes, loading it once, on the first call. Until then
 * `capabilities` are the ones given (what the index will declare).
 * @example
 * const index = new LazySearchIndex("sqlite-fts5", async () => new (await import("./x.ts")).SqliteSearchIndex(options), caps);
 */
export class LazySearchIndex implements SearchIndex {
  readonly name: string;
  readonly #index: LoadOnce<SearchIndex>;
  readonly #before: SearchIndexCapabilities;

  constructor(name: string, load: () => Promise<SearchIndex>, before: SearchIndexCapabilities) {
    this.name = name;
    this.#index = new LoadOnce(load);
    this.#before = before;
  }

  get capabilities(): SearchIndexCapabilities {
    return this.#index.value?.capabilities ?? this.#before;
  }

  /** The index, loaded once (a failed load is tried again on the next call). */
  #get(): Promise<SearchIndex> {
    return this.#index.get();
  }

  async initialize(): Promise<void> {
    await (await this.#get()).initialize();
  }
  async close(): Promise<void> {
    await this.#index.value?.close();
  }
  async sources(scope: IndexScope): Promise<ReadonlyMap<string, IndexedSource>> {
    return (await this.#get()).sources(scope);
  }
  async exists(scope: IndexScope): Promise<boolean> {
    return (await this.#get()).exists(scope);
  }
  async stage(scope: IndexScope, options?: StageOptions): Promise<IndexStage> {
    return (await this.#get()).stage(scope, options);
  }
  async query(scopes: IndexScope[], query: IndexQuery): Promise<IndexHit[]> {
    return (await this.#get()).query(scopes, query);
  }
  async remove(scope: IndexScope): Promise<boolean> {
    return (await this.#get()).remove(scope);
  }
  async scopes(): Promise<IndexScope[]> {
    return (await this.#get()).scopes();
  }
}

/**
 * What an engine-backed index declares without a vector store: lexical search, `$eq` and `$in`
 * filters, persistent unless in memory.
 * @example
 * new LazySearchIndex("sqlite-fts5", load, lexicalCapabilities(true));
 */
export function lexicalCapabilities(persistent: boolean): SearchIndexCapabilities {
  return { lexical: true, vector: false, filters: ["eq", "in"], persistent };
}

/** The factories' `ranking` key: the built-in scorer over the engine's candidates, or the engine's own rank. */
export const rankingKey: z.ZodMiniType = z.optional(z.enum(["builtin", "engine"]));
