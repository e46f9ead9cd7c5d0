/**
 * {@link DomainUpdate}: one atomic change of a knowledge base's domain. Files are chunked,
 * embedded and indexed as they are put, invisibly; `commit()` makes all of it visible at once.
 * @module
 */
import { ClosedError } from "../../errors.ts";
import type { JsonObject } from "../../validate.ts";
import { type ChunkFileOptions, chunkFile } from "../chunk/chunk-file.ts";
import type { EmbeddingProvider } from "../embed/embeddings.ts";
import type { SourceState, StoredChunk } from "../search/types.ts";
import { groupOf, type IndexStore, type StagedChunk } from "./index-store.ts";

/** Options of {@link DomainUpdate.putFile}. */
export interface PutSourceOptions {
  /** The file's SHA-256 (from its `KnowledgeFile`); computed when omitted. */
  checksum?: string;
  /** The file's own metadata, carried into every chunk's result metadata. */
  metadata?: JsonObject;
  signal?: AbortSignal;
}

/** What a commit changed. */
export interface CommitStats {
  chunksAdded: number;
  chunksRemoved: number;
  filesRemoved: number;
}

/** The separator of stable chunk ids (`<domain>\x1f<path>\x1f<position>`). */
export const ID_SEPARATOR = "\u001f";

async function sha256(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An update of one domain. Nothing it does is visible until `commit()`; `abort()` drops it.
 * @example
 * const update = kb.beginUpdate("support");
 * await update.putFile("faq.md", bytes);
 * update.removeFile("old.md");
 * update.commit();
 */
export class DomainUpdate {
  readonly domainId: string;
  readonly #store: IndexStore;
  readonly #embedder: EmbeddingProvider | null;
  readonly #chunking: ChunkFileOptions;
  readonly #fingerprint: string;
  readonly #changes = new Map<string, SourceState | null>();
  readonly #staged: string[] = [];
  #done = false;

  /** @internal Made by `RAGKnowledgeBase.beginUpdate`. */
  constructor(
    domainId: string,
    store: IndexStore,
    embedder: EmbeddingProvider | null,
    chunking: ChunkFileOptions,
    fingerprint: string,
  ) {
    this.domainId = domainId;
    this.#store = store;
    this.#embedder = embedder;
    this.#chunking = chunking;
    this.#fingerprint = fingerprint;
  }

  #open(): void {
    if (this.#done)
      throw new ClosedError(
        `The update of domain '${this.domainId}' was already committed or aborted`,
      );
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
    this.#open();
    const checksum = options.checksum ?? (await sha256(content));
    const chunked = await chunkFile(path, content, this.#chunking);
    const chunks = chunked?.chunks ?? [];
    options.signal?.throwIfAborted();
    const version = `${checksum.slice(0, 16)}${this.#fingerprint}`;
    const stable = (i: number): string =>
      `${this.domainId}${ID_SEPARATOR}${path}${ID_SEPARATOR}${i}`;
    const vectors =
      this.#embedder && chunks.length
        ? await this.#embedder.embed(
            chunks.map((c) => c.embeddingText),
            options.signal ? { signal: options.signal } : {},
          )
        : null;
    options.signal?.throwIfAborted();
    this.#open();
    const staged: StagedChunk[] = chunks.map((c, i) => {
      const chunk: StoredChunk = {
        id: `${stable(i)}${ID_SEPARATOR}${version}`,
        chunkId: stable(i),
        domainId: this.domainId,
        source: path,
        chunkIndex: i,
        text: c.text,
        headingPath: c.headingPath,
        headings: c.headings,
        lineNumber: c.lineNumber,
        fileMetadata: options.metadata ?? {},
      };
      return { chunk, heading: c.headingPath, vector: vectors?.[i] ?? null };
    });
    await this.#store.stage(groupOf(this.domainId, path, version), staged);
    const ids = staged.map((s) => s.chunk.id);
    for (const id of ids) this.#staged.push(id);
    this.#changes.set(path, { checksum, fingerprint: this.#fingerprint, ids });
    return ids.length;
  }

  /** Removes a file's chunks at commit. */
  removeFile(path: string): void {
    this.#open();
    this.#changes.set(path, null);
  }

  /** Removes, at commit, every file of the domain not put in this update and not in `keep`. */
  removeOthers(keep: Iterable<string>): number {
    this.#open();
    const kept = new Set(keep);
    let n = 0;
    for (const path of this.#store.domains.get(this.domainId)?.keys() ?? []) {
      if (!kept.has(path) && !this.#changes.has(path)) {
        this.#changes.set(path, null);
        n++;
      }
    }
    return n;
  }

  /** Makes the whole update visible at once. */
  commit(): CommitStats {
    this.#open();
    this.#done = true;
    const filesRemoved = [...this.#changes.values()].filter((v) => v === null).length;
    const { added, removed } = this.#store.commit(this.domainId, this.#changes);
    // Staged chunks of files that did not change (same version) were replaced in place; others are live now.
    return { chunksAdded: added, chunksRemoved: removed, filesRemoved };
  }

  /** Drops everything staged; the domain stays as it was. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#store.discard(this.#staged);
  }
}
