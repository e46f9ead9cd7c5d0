/**
 * {@link RAGKnowledgeBase}: chunks of knowledge files, searchable by BM25 always, by vectors when
 * an embedding provider is configured, and by both fused (RRF) when both are there. The chunks
 * live in a {@link SearchIndex} (the built-in `BlobSearchIndex` by default, in memory; give it a
 * blob store and it persists).
 * @module
 */
import { NotFoundError, UnsupportedError, ValidationError } from "../../errors.ts";
import { checkRevision, type KnowledgePin } from "../../registry/knowledge-pin.ts";
import { validateBotId } from "../../validate.ts";
import type { ChunkFileOptions } from "../chunk/chunk-file.ts";
import type { EmbeddingProvider } from "../embed/embedding-provider.ts";
import { BlobSearchIndex } from "../index/blob-search-index.ts";
import { acceptedValues, validateFilter } from "../index/filter.ts";
import {
  type IndexedSource,
  type IndexHit,
  type IndexRevision,
  type IndexScope,
  metadataOf,
  type QueryScope,
  type RevisionState,
  type SearchIndex,
} from "../index/types.ts";
import type { KnowledgeResourceBackend } from "../store/types.ts";
import { optionsFromConfig, type RagHostOptions } from "./config.ts";
import { DomainUpdate } from "./domain-update.ts";
import type { RAGKnowledgeBaseOptions } from "./options.ts";
import type { KnowledgeView, QueryOptions, SearchResult } from "./types.ts";

export type { RAGKnowledgeBaseOptions } from "./options.ts";

/** Options of {@link RAGKnowledgeBase.beginUpdate}. */
export interface BeginUpdateOptions {
  /** The knowledge base's generation (default: looked up in `knowledge`, or `"default"`). */
  generation?: string;
  /** Start from nothing: the commit replaces the whole index of the domain (a rebuild). */
  fresh?: boolean;
  /**
   * Commit only over the index version the update began from (`DomainUpdate.version`): when
   * another commit landed meanwhile, `commit()` rejects with `StaleIndexError` (nothing
   * committed) instead of keeping both. Ingestion runs use it, and plan again when told.
   */
  exclusive?: boolean;
  /** The version the commit gives the index (default: a random id); see `StageOptions.commitId`. */
  commitId?: string;
}

/** The version of the chunker and transformers: part of every file's fingerprint. */
export const PIPELINE_VERSION = "1";

/** The generation of knowledge bases that no knowledge backend names. */
export const DEFAULT_GENERATION = "default";

/**
 * A searchable knowledge base. Fill it through `KnowledgeIngestionManager`, or directly with
 * `beginUpdate` / `loadMarkdownText`.
 * @example
 * const kb = await RAGKnowledgeBase.fromConfig({ vector_store: { backend: "memory", dimensions: 384 }, embedding_provider: "echo" });
 * await kb.loadMarkdownText("# FAQ\n\n## How do I reset my password?\n\nGo to settings...", "faq.md", { domainId: "support" });
 * const results = await kb.search("reset password", { k: 3 });
 */
export class RAGKnowledgeBase {
  readonly embeddingProvider: EmbeddingProvider | null;
  readonly chunking: Readonly<ChunkFileOptions>;
  readonly index: SearchIndex;
  #knowledge: KnowledgeResourceBackend | null;
  readonly #fingerprint: string;

  constructor(options: RAGKnowledgeBaseOptions = {}) {
    this.embeddingProvider = options.embeddingProvider ?? null;
    this.chunking = { ...options.chunking };
    this.index = options.index ?? new BlobSearchIndex(options.bm25 ? { bm25: options.bm25 } : {});
    if (this.embeddingProvider && !this.index.capabilities.vector)
      throw new ValidationError(
        `Search index '${this.index.name}' does not search vectors: drop the embedding provider or use an index that does`,
      );
    this.#knowledge = options.knowledge ?? null;
    const c = this.chunking;
    this.#fingerprint = `p${PIPELINE_VERSION}m${c.maxChunkSize ?? 500}o${c.chunkOverlap ?? 50}e${this.embeddingProvider?.name ?? "-"}`;
  }

  /**
   * Builds a knowledge base from the seed's configuration keys (`vector_store`,
   * `embedding_provider`, `embedding_model`, `chunking`). `{}` is lexical only: no embedding
   * provider is assumed. Unknown keys throw `ValidationError`.
   */
  static async fromConfig(
    config: unknown = {},
    host: RagHostOptions = {},
  ): Promise<RAGKnowledgeBase> {
    return new RAGKnowledgeBase(optionsFromConfig(config, host));
  }

  /** The chunking/embedding fingerprint of this configuration. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  /** The knowledge backend domains are looked up in (null: none). */
  get knowledge(): KnowledgeResourceBackend | null {
    return this.#knowledge;
  }

  /** Looks domains up in `backend` from now on, unless another backend was set already. */
  useKnowledge(backend: KnowledgeResourceBackend): void {
    this.#knowledge ??= backend;
  }

  /** The scope of a domain now; null when the knowledge backend has no such knowledge base. */
  async scopeOf(domainId: string): Promise<IndexScope | null> {
    validateBotId(domainId, "domainId");
    if (!this.#knowledge) return { domainId, generation: DEFAULT_GENERATION };
    const info = await this.#knowledge.getInfo(domainId);
    return info ? { domainId, generation: info.generation } : null;
  }

  async #requireScope(domainId: string): Promise<IndexScope> {
    const scope = await this.scopeOf(domainId);
    if (!scope) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    return scope;
  }

  /** The scopes a query searches: those `filter.domain_id` names, else every knowledge base. */
  async #scopesFor(filter: QueryOptions["filter"]): Promise<IndexScope[]> {
    const named = filter?.domain_id;
    if (named !== undefined) {
      const scopes: IndexScope[] = [];
      for (const d of acceptedValues(named)) {
        if (typeof d !== "string") continue;
        const scope = await this.scopeOf(d).catch(() => null);
        if (scope) scopes.push(scope);
      }
      return scopes;
    }
    const held = await this.index.scopes();
    if (!this.#knowledge) return held.filter((s) => s.generation === DEFAULT_GENERATION);
    // What the index holds, if it is still the current knowledge base of its domain.
    const current: IndexScope[] = [];
    for (const s of held)
      if ((await this.#knowledge.getInfo(s.domainId))?.generation === s.generation) current.push(s);
    return current;
  }

  /** The one scope `filter.domain_id` names, as of `revision` (`NotFoundError` when it is gone). */
  async #scopesAsOf(filter: QueryOptions["filter"], revision: string): Promise<QueryScope[]> {
    checkRevision(revision);
    const named = filter?.domain_id;
    if (typeof named !== "string")
      throw new ValidationError(
        "Invalid revision: a revision belongs to one knowledge base; name it in filter.domain_id",
        [{ path: ["revision"], message: "needs filter.domain_id naming one knowledge base" }],
      );
    if (!this.index.revisionState)
      throw new UnsupportedError(
        `Search index '${this.index.name}' does not keep revisions: search without one`,
      );
    const scopes = await this.#scopesFor(filter);
    // A revision names one knowledge base's state: that it is gone is an answer, not "nothing".
    if (scopes.length === 0) throw new NotFoundError(`Knowledge base '${named}' does not exist`);
    return scopes.map((s) => ({ ...s, revision }));
  }

  /**
   * The revisions of a knowledge base's index that can be searched (`query` with `revision`),
   * newest — the current one — first; `NotFoundError` when the knowledge base does not exist.
   * How many are kept is the index's (`BlobSearchIndex`'s `keepRevisions`).
   * @example
   * const [current] = await rag.revisions("support"); // pin current.revision in a bot's config
   */
  async revisions(domainId: string): Promise<IndexRevision[]> {
    const scope = await this.#requireScope(domainId);
    return (await this.index.revisions?.(scope)) ?? [];
  }

  /**
   * Where `revision` of a knowledge base stands: `kept` (searchable), `pruned` (cut from the
   * index history) or `unknown`; `null` when the knowledge base does not exist.
   * @example
   * if ((await rag.revisionState("support", pin.revision)) !== "kept") throw new ConflictError("…");
   */
  async revisionState(domainId: string, revision: string): Promise<RevisionState | null> {
    checkRevision(revision);
    const scope = await this.scopeOf(domainId);
    if (!scope) return null;
    return (await this.index.revisionState?.(scope, revision)) ?? "unknown";
  }

  /**
   * The knowledge base `pin` names as of its revision: what a bot pinned to it searches (give
   * it to the bot instance a caching manager builds from the config, `knowledgePinOf(config)`).
   * @example
   * const pin = knowledgePinOf(config);
   * const knowledge = pin ? rag.view(pin) : null;
   * await knowledge?.search("reset password");
   */
  view(pin: KnowledgePin): KnowledgeView {
    validateBotId(pin.kb, "kb");
    const revision = checkRevision(pin.revision);
    return {
      kb: pin.kb,
      revision,
      search: (query, options = {}) =>
        this.query(query, {
          ...options,
          filter: { ...options.filter, domain_id: pin.kb },
          revision,
        }),
    };
  }

  /** Starts an atomic update of one domain. */
  async beginUpdate(domainId: string, options: BeginUpdateOptions = {}): Promise<DomainUpdate> {
    validateBotId(domainId, "domainId");
    const scope =
      options.generation === undefined
        ? await this.#requireScope(domainId)
        : { domainId, generation: options.generation };
    const stage = await this.index.stage(scope, {
      embedding: this.embeddingProvider?.name ?? null,
      fresh: options.fresh === true,
      ...(options.exclusive ? { exclusive: true } : {}),
      ...(options.commitId !== undefined ? { commitId: options.commitId } : {}),
    });
    return new DomainUpdate({
      scope,
      stage,
      embedder: this.embeddingProvider,
      chunking: this.chunking,
      fingerprint: this.#fingerprint,
    });
  }

  /** The files indexed for a domain, with the checksum and fingerprint of what is indexed. */
  async sources(domainId: string): Promise<ReadonlyMap<string, IndexedSource>> {
    const scope = await this.scopeOf(domainId);
    return scope ? this.index.sources(scope) : new Map();
  }

  /** Whether the domain's current knowledge base has a committed index (even an empty one). */
  async isIndexed(domainId: string): Promise<boolean> {
    const scope = await this.scopeOf(domainId);
    return scope ? this.index.exists(scope) : false;
  }

  /** The domains that have a committed index, sorted. */
  async listDomains(): Promise<string[]> {
    const out: string[] = [];
    for (const s of await this.#scopesFor(undefined))
      if (await this.index.exists(s)) out.push(s.domainId);
    return out.sort();
  }

  /**
   * Adds (or replaces) one markdown document, atomically: the original's `_load_markdown_text`.
   * `metadata.domainId` (or `domain_id`) names the domain (default `"default"`).
   */
  async loadMarkdownText(
    text: string,
    source: string,
    metadata: Record<string, unknown> = {},
  ): Promise<number> {
    const domainId = String(metadata.domainId ?? metadata.domain_id ?? "default");
    const path = /\.(md|markdown)$/i.test(source) ? source : `${source}.md`;
    const update = await this.beginUpdate(domainId);
    try {
      const n = await update.putFile(path, text);
      await update.commit();
      return n;
    } catch (error) {
      await update.abort();
      throw error;
    }
  }

  /** Removes one domain's chunks (`clearExisting` scope), or every domain's when none is given. */
  async clear(domainId?: string): Promise<void> {
    const scopes =
      domainId === undefined
        ? await this.#scopesFor(undefined)
        : [await this.scopeOf(domainId)].filter((s): s is IndexScope => s !== null);
    for (const scope of scopes) await this.index.remove(scope);
  }

  /**
   * The best chunks for `query`: `{ text, content, source, headingPath, similarity, metadata }`,
   * best first.
   */
  async query(query: string, options: QueryOptions = {}): Promise<SearchResult[]> {
    if (typeof query !== "string") throw new ValidationError("Invalid query: expected a string");
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > 1000)
      throw new ValidationError(`Invalid k ${k}: expected an integer 1–1000`);
    const filter = options.filter === undefined ? undefined : validateFilter(options.filter);
    const minSimilarity = options.minSimilarity ?? 0;
    const scopes =
      options.revision === undefined
        ? await this.#scopesFor(filter)
        : await this.#scopesAsOf(filter, options.revision);
    if (scopes.length === 0) return [];
    const vector =
      this.embeddingProvider && query.trim()
        ? ((
            await this.embeddingProvider.embed(
              [query],
              options.signal ? { signal: options.signal } : {},
            )
          )[0] ?? null)
        : null;
    // `domain_id` chose the scopes; what is left of the filter goes to the index.
    const { domain_id: _chosen, ...rest } = filter ?? {};
    const hits = await this.index.query(scopes, {
      text: query,
      vector,
      embedding: this.embeddingProvider?.name ?? null,
      k,
      ...(Object.keys(rest).length > 0 ? { filter: rest } : {}),
      ...(options.perSource ? { perSource: true } : {}),
    });
    return hits.filter((h) => h.similarity >= minSimilarity).map(resultOf);
  }

  /** The seed's `search`: {@link RAGKnowledgeBase.query} with `content` beside `text`. */
  search(query: string, options: QueryOptions = {}): Promise<SearchResult[]> {
    return this.query(query, options);
  }
}

function resultOf(hit: IndexHit): SearchResult {
  const { chunk } = hit;
  return {
    text: chunk.text,
    content: chunk.text,
    source: chunk.source,
    headingPath: chunk.headingPath,
    similarity: hit.similarity,
    metadata: { ...metadataOf(hit.scope, chunk), scores: hit.scores },
  };
}
