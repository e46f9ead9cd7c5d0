/**
 * {@link DomainUpdate}: one atomic change of a knowledge base's searchable chunks. Files are
 * chunked, embedded and staged in the search index as they are put, invisibly; `commit()` makes
 * all of it visible at once.
 * @module
 */

import { sha256Hex } from "../../util/sha256.ts";
import { nextTurn } from "../../util/turns.ts";
import type { JsonObject } from "../../validate.ts";
import type { ChunkFileOptions } from "../chunk/chunk-file.ts";
import type { EmbeddingProvider } from "../embed/embedding-provider.ts";
import { ID_SEPARATOR } from "../index/scope-state.ts";
import type {
  IndexChunk,
  IndexCommit,
  IndexedSource,
  IndexScope,
  IndexStage,
} from "../index/types.ts";

/** Files with more chunks than this give the event loop a turn between the steps of a put. */
const LARGE_FILE_CHUNKS = 1000;

/** Options of {@link DomainUpdate.putFile}. */
export interface PutSourceOptions {
  /** The file's SHA-256 (from its `KnowledgeFile`); computed when omitted. */
  checksum?: string;
  /** The file's own metadata, carried into every chunk's result metadata. */
  metadata?: JsonObject;
  signal?: AbortSignal;
}

/** What a commit changed. */
export type CommitStats = IndexCommit;

/**
 * An update of one knowledge base. Nothing it does is visible until `commit()`; `abort()` drops it.
 * @example
 * const update = await kb.beginUpdate("support");
 * await update.putFile("faq.md", bytes);
 * update.removeFile("old.md");
 * await update.commit();
 */
export class DomainUpdate {
  readonly domainId: string;
  readonly scope: IndexScope;
  readonly #stage: IndexStage;
  readonly #embedder: EmbeddingProvider | null;
  readonly #chunking: ChunkFileOptions;
  readonly #fingerprint: string;
  readonly #touched = new Set<string>();

  /** @internal Made by `RAGKnowledgeBase.beginUpdate`. */
  constructor(init: {
    scope: IndexScope;
    stage: IndexStage;
    embedder: EmbeddingProvider | null;
    chunking: ChunkFileOptions;
    fingerprint: string;
  }) {
    this.scope = init.scope;
    this.domainId = init.scope.domainId;
    this.#stage = init.stage;
    this.#embedder = init.embedder;
    this.#chunking = init.chunking;
    this.#fingerprint = init.fingerprint;
  }

  /** The files indexed when the update began, with the checksum and fingerprint of each. */
  get indexed(): ReadonlyMap<string, IndexedSource> {
    return this.#stage.indexed;
  }

  /** The index version the update began from (see `BeginUpdateOptions.exclusive`). */
  get version(): string {
    return this.#stage.version;
  }

  /**
   * Chunks, embeds and stages one file (replacing its previous version at commit). Returns the
   * number of chunks: 0 for an empty file or an unsupported type. A bad file throws
   * `ValidationError` and stages nothing.
   */
  async putFile(
    path: string,
    content: Uint8Array | string,
    options: PutSourceOptions = {},
  ): Promise<number> {
    const checksum = options.checksum ?? (await sha256Hex(content));
    // The chunker (markdown, JSON, YAML, CSV) is imported with the first file put.
    const { eachFileChunk, embeddingTextOf } = await import("../chunk/chunk-file.ts");
    const prefix = `${this.domainId}${ID_SEPARATOR}${path}${ID_SEPARATOR}`;
    const metadata = options.metadata ?? {};
    const indexChunks: IndexChunk[] = [];
    const texts: string[] | null = this.#embedder ? [] : null;
    // Each chunk becomes an index chunk as it is found (the chunker gives turns back meanwhile).
    await eachFileChunk(path, content, this.#chunking, (c) => {
      const i = indexChunks.length;
      indexChunks.push({
        chunkId: `${prefix}${i}`,
        source: path,
        chunkIndex: i,
        text: c.text,
        headingPath: c.headingPath,
        headings: c.headings,
        lineNumber: c.lineNumber,
        metadata,
      });
      texts?.push(embeddingTextOf(c));
    });
    // Chunking a large file is a long run of turns: give the event loop one before the next step.
    if (indexChunks.length > LARGE_FILE_CHUNKS) await nextTurn();
    options.signal?.throwIfAborted();
    const vectors =
      this.#embedder && texts?.length
        ? await this.#embedder.embed(texts, options.signal ? { signal: options.signal } : {})
        : null;
    options.signal?.throwIfAborted();
    await this.#stage.put(path, { checksum, fingerprint: this.#fingerprint }, indexChunks, vectors);
    this.#touched.add(path);
    return indexChunks.length;
  }

  /** Removes a file's chunks at commit. */
  removeFile(path: string): void {
    this.#stage.remove(path);
    this.#touched.add(path);
  }

  /** Removes, at commit, every indexed file not put in this update and not in `keep`. */
  removeOthers(keep: Iterable<string>): number {
    const kept = new Set(keep);
    let n = 0;
    for (const path of this.#stage.indexed.keys()) {
      if (!kept.has(path) && !this.#touched.has(path)) {
        this.removeFile(path);
        n++;
      }
    }
    return n;
  }

  /** Makes the whole update visible at once. */
  commit(): Promise<CommitStats> {
    return this.#stage.commit();
  }

  /** Drops everything staged; the knowledge base stays as it was. */
  abort(): Promise<void> {
    return this.#stage.abort();
  }
}
