/**
 * {@link RAGKnowledgeBase}: chunks of knowledge files, searchable by BM25 always, by vectors when
 * an embedding provider is configured, and by both fused (RRF) when both are there.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { validateBotId } from "../../validate.ts";
import type { ChunkFileOptions } from "../chunk/chunk-file.ts";
import type { EmbeddingProvider } from "../embed/embeddings.ts";
import { Bm25Index } from "../index/bm25/bm25.ts";
import type { Bm25Options } from "../index/bm25/types.ts";
import { DomainUpdate } from "../index/domain-update.ts";
import { IndexStore } from "../index/index-store.ts";
import { checkSnapshot, type KnowledgeBaseJson, restore, snapshot } from "../index/persist.ts";
import { MemoryVectorStore, type VectorStore } from "../index/vector-store.ts";
import { optionsFromConfig, type RagHostOptions } from "./config.ts";
import { type FusedHit, fuseRrf, normaliseLexical } from "./fusion.ts";
import type { QueryOptions, SearchResult, SourceState, StoredChunk } from "./types.ts";

/** Options of {@link RAGKnowledgeBase}. */
export interface RAGKnowledgeBaseOptions {
  /** Makes the knowledge base semantic (and hybrid); without one it is lexical only. */
  embeddingProvider?: EmbeddingProvider | null;
  /** Where vectors go (default: a `MemoryVectorStore` when there is an embedding provider). */
  vectorStore?: VectorStore | null;
  /** Chunking: `maxChunkSize` (500) and `chunkOverlap` (50) characters, `maxDecompressedBytes`. */
  chunking?: ChunkFileOptions;
  /** BM25 parameters (the defaults are tuned on principle; see the search module). */
  bm25?: Bm25Options;
  /** @internal A loaded index (see `fromJSON`). */
  index?: Bm25Index;
}

/** The version of the chunker and transformers: part of every file's fingerprint. */
export const PIPELINE_VERSION = "1";

function predicate(
  filter: Record<string, unknown> | undefined,
): ((meta: Record<string, unknown>) => boolean) | null {
  if (!filter) return null;
  const entries = Object.entries(filter);
  return (meta) =>
    entries.every(
      ([k, v]) =>
        meta[k] === v ||
        (typeof v === "object" && v !== null && JSON.stringify(meta[k]) === JSON.stringify(v)),
    );
}

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
  /** @internal */
  readonly store: IndexStore;
  readonly #fingerprint: string;

  constructor(options: RAGKnowledgeBaseOptions = {}) {
    this.embeddingProvider = options.embeddingProvider ?? null;
    this.chunking = { ...options.chunking };
    const vectors = options.vectorStore ?? null;
    if (this.embeddingProvider && !vectors)
      throw new ValidationError("An embedding provider needs a vector store");
    this.store = new IndexStore(
      options.index ?? new Bm25Index(options.bm25),
      this.embeddingProvider ? vectors : null,
    );
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

  /**
   * A JSON snapshot: chunks, file states, the BM25 index and (memory) vectors. Take it while no
   * update is open.
   */
  toJSON(): KnowledgeBaseJson {
    const e = this.embeddingProvider;
    return snapshot(
      this.store,
      this.#fingerprint,
      e ? { name: e.name, dimensions: e.dimensions } : null,
    );
  }

  /**
   * Loads a snapshot. Give the same embedding provider (by name) it was built with, or none for a
   * lexical-only snapshot; a different chunking configuration re-chunks files on the next ingest.
   */
  static fromJSON(
    data: unknown,
    options: Omit<RAGKnowledgeBaseOptions, "index" | "vectorStore"> = {},
  ): RAGKnowledgeBase {
    const snap = checkSnapshot(data);
    const provider = options.embeddingProvider ?? null;
    if ((snap.embedding?.name ?? null) !== (provider?.name ?? null)) {
      throw new ValidationError(
        `The snapshot was embedded with '${snap.embedding?.name ?? "none"}'; pass that embedding provider (got '${provider?.name ?? "none"}')`,
      );
    }
    const vectorStore = snap.vectors ? MemoryVectorStore.fromJSON(snap.vectors) : null;
    const kb = new RAGKnowledgeBase({
      ...options,
      vectorStore,
      index: Bm25Index.fromJSON(snap.bm25),
    });
    restore(kb.store, snap);
    return kb;
  }

  /** The chunking/embedding fingerprint of this configuration. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  /** Starts an atomic update of one domain. */
  beginUpdate(domainId: string): DomainUpdate {
    validateBotId(domainId, "domainId");
    return new DomainUpdate(
      domainId,
      this.store,
      this.embeddingProvider,
      this.chunking,
      this.#fingerprint,
    );
  }

  /** The files ingested into a domain, with the checksum and fingerprint of what is indexed. */
  getSources(domainId: string): ReadonlyMap<string, Readonly<SourceState>> {
    return this.store.domains.get(domainId) ?? new Map();
  }

  /** The domains that have chunks. */
  listDomains(): string[] {
    return [...this.store.domains.keys()].sort();
  }

  /** How many chunks are live (all domains). */
  get size(): number {
    return this.store.live.size;
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
    const update = this.beginUpdate(domainId);
    try {
      const n = await update.putFile(path, text);
      update.commit();
      return n;
    } catch (error) {
      update.abort();
      throw error;
    }
  }

  /** Removes one domain's chunks (`clearExisting` scope), or everything when no domain is given. */
  clear(domainId?: string): void {
    this.store.clear(domainId);
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
    const minSimilarity = options.minSimilarity ?? 0;
    const matches = predicate(options.filter);
    return this.store.read(async () => {
      const vector =
        this.embeddingProvider && query.trim()
          ? ((
              await this.embeddingProvider.embed(
                [query],
                options.signal ? { signal: options.signal } : {},
              )
            )[0] ?? null)
          : null;
      // From here to the searches nothing awaits (memory stores), so both see one version of the data.
      const live = this.store.live;
      const chunks = this.store.chunks;
      const pass = (id: string): boolean => {
        if (!live.has(id)) return false;
        if (!matches) return true;
        const chunk = chunks.get(id);
        return !!chunk && matches(this.#metadata(chunk, null));
      };
      const hybrid = vector !== null && this.store.vectors !== null;
      const perSource = options.perSource === true;
      const pool = hybrid ? Math.max(k * 4, 50) : k;
      const lexical = this.store.bm25.search(query, {
        k: pool,
        filter: pass,
        collapseGroups: perSource,
      });
      const dense = hybrid
        ? await (this.store.vectors as VectorStore).query(vector, {
            k: perSource ? pool * 4 : pool,
            filter: pass,
          })
        : [];
      const fused: FusedHit[] = hybrid ? fuseRrf(lexical, dense) : normaliseLexical(lexical);
      const results: SearchResult[] = [];
      const seen = new Set<string>();
      for (const hit of fused) {
        if (results.length === k) break;
        if (hit.similarity < minSimilarity) continue;
        const chunk = chunks.get(hit.id);
        if (!chunk) continue;
        if (perSource) {
          const key = `${chunk.domainId}\u001f${chunk.source}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        results.push(this.#result(chunk, hit));
      }
      return results;
    });
  }

  /** The seed's `search`: {@link RAGKnowledgeBase.query} with `content` beside `text`. */
  search(query: string, options: QueryOptions = {}): Promise<SearchResult[]> {
    return this.query(query, options);
  }

  #metadata(chunk: StoredChunk, hit: FusedHit | null): Record<string, unknown> {
    const meta: Record<string, unknown> = {
      ...chunk.fileMetadata,
      domain_id: chunk.domainId,
      source_path: chunk.source,
      chunk_index: chunk.chunkIndex,
      chunk_id: chunk.chunkId,
      heading_path: chunk.headingPath,
      headings: chunk.headings,
      line_number: chunk.lineNumber,
    };
    if (hit) meta.scores = { lexical: hit.lexical, vector: hit.vector, fused: hit.similarity };
    return meta;
  }

  #result(chunk: StoredChunk, hit: FusedHit): SearchResult {
    return {
      text: chunk.text,
      content: chunk.text,
      source: chunk.source,
      headingPath: chunk.headingPath,
      similarity: hit.similarity,
      metadata: this.#metadata(chunk, hit),
    };
  }
}
