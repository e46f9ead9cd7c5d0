/**
 * Deliberately broken knowledge-side implementations: blob stores, a knowledge backend, search
 * indexes, vector stores and embedding providers, each with one bug a real adapter could have.
 * `knowledge.test.ts` checks that each one fails its port's suite.
 */

import { sha256Hex } from "../../src/core/util/sha256.ts";
import { concatBytes, readAll } from "../../src/core/util/streams.ts";
import {
  BlobKnowledgeBackend,
  type BlobMeta,
  type BlobPutOptions,
  BlobSearchIndex,
  type BlobStore,
  EchoEmbeddingProvider,
  type EmbeddingProvider,
  type EmbeddingProviderCapabilities,
  type IndexChunk,
  type IndexHit,
  type IndexQuery,
  type IndexScope,
  type IndexStage,
  KnowledgeFile,
  MemoryBlobStore,
  MemoryVectorStore,
  type PutFileEntry,
  type SearchIndex,
  type StageOptions,
  type VectorHit,
  type VectorQueryOptions,
  type VectorStoreCapabilities,
} from "../../src/index.ts";
import { withLatency } from "../../src/testing/index.ts";

/** A blob store whose compare-and-set checks, waits, then writes: not atomic. */
export class NonAtomicIfMatch extends MemoryBlobStore {
  override async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    const bytes = body instanceof Uint8Array ? body : await readAll(body);
    if (options.ifMatch !== undefined) {
      const current = await this.head(key);
      if ((current?.etag ?? null) !== options.ifMatch) return null;
      await new Promise((r) => setTimeout(r, Math.random() * 3));
    }
    const { ifMatch: _dropped, ...rest } = options;
    return super.put(key, bytes, rest);
  }
}

/** A blob store that drops a declared size instead of checking it. */
export class IgnoresSize extends MemoryBlobStore {
  override put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    const { size: _dropped, ...rest } = options;
    return super.put(key, body, rest);
  }
}

/** A blob store that keeps what a broken stream delivered before it broke. */
export class KeepsPartialUploads extends MemoryBlobStore {
  override async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    if (body instanceof Uint8Array) return super.put(key, body, options);
    const parts: Uint8Array[] = [];
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
    } catch (error) {
      await super.put(key, joined(parts), options);
      throw error;
    }
    return super.put(key, joined(parts), options);
  }
}

const joined = (parts: Uint8Array[]): Uint8Array =>
  concatBytes(
    parts,
    parts.reduce((n, p) => n + p.length, 0),
  );

/** A knowledge backend whose file checksum leaves out the last byte. */
export class ChecksumSkipsLastByte extends BlobKnowledgeBackend {
  constructor(now?: () => number) {
    super({ store: new MemoryBlobStore(), ...(now ? { now } : {}) });
  }
  override async putFiles(domainId: string, entries: PutFileEntry[]): Promise<KnowledgeFile[]> {
    const files = await super.putFiles(domainId, entries);
    return Promise.all(
      files.map(async (f) => {
        const bytes = (await this.getFile(domainId, f.path)) as Uint8Array;
        const checksum = await sha256Hex(bytes.subarray(0, Math.max(0, bytes.length - 1)));
        return new KnowledgeFile({ ...f, checksum });
      }),
    );
  }
}

/**
 * A knowledge backend whose ingestion lease is not exclusive: it drops the owner, so every claim
 * succeeds and two runs ingest one knowledge base at once.
 */
export class LeaseNotExclusive extends BlobKnowledgeBackend {
  constructor(store: BlobStore, now?: () => number) {
    super({ store, ...(now ? { now } : {}) });
  }
  override setIngestionStatus(
    domainId: string,
    status: string,
    error: string | null = null,
    options: { generation?: string; owner?: string } = {},
  ): Promise<void> {
    const { owner: _dropped, ...rest } = options;
    return super.setIngestionStatus(domainId, status, error, rest);
  }
}

/** A knowledge backend that ignores `checksum` on reads: it hands out whatever is there now. */
export class ReadsAnyVersion extends BlobKnowledgeBackend {
  constructor(now?: () => number) {
    super({ store: new MemoryBlobStore(), ...(now ? { now } : {}) });
  }
  override getFile(domainId: string, path: string): Promise<Uint8Array | null> {
    return super.getFile(domainId, path);
  }
  override streamFile(
    domainId: string,
    path: string,
    options: { chunkSize?: number; checksum?: string } = {},
  ): ReturnType<BlobKnowledgeBackend["streamFile"]> {
    const { checksum: _dropped, ...rest } = options;
    return super.streamFile(domainId, path, rest);
  }
}

/** The knowledge backend over a store whose compare-and-set is not atomic (with latency). */
export function overNonAtomicStore(now?: () => number): {
  backend: BlobKnowledgeBackend;
  store: BlobStore;
} {
  const store = withLatency(new NonAtomicIfMatch(), 4);
  return { backend: new BlobKnowledgeBackend({ store, ...(now ? { now } : {}) }), store };
}

/** Forwards every call of the port to an inner index; subclasses break one. */
class Forwarding implements SearchIndex {
  readonly inner: BlobSearchIndex = new BlobSearchIndex();
  readonly name: string = "mutant";
  readonly capabilities: SearchIndex["capabilities"] = this.inner.capabilities;
  initialize(): Promise<void> {
    return this.inner.initialize();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  sources(scope: IndexScope): ReturnType<SearchIndex["sources"]> {
    return this.inner.sources(scope);
  }
  exists(scope: IndexScope): Promise<boolean> {
    return this.inner.exists(scope);
  }
  stage(scope: IndexScope, options?: StageOptions): Promise<IndexStage> {
    return this.inner.stage(scope, options);
  }
  query(scopes: IndexScope[], query: IndexQuery): Promise<IndexHit[]> {
    return this.inner.query(scopes, query);
  }
  remove(scope: IndexScope): Promise<boolean> {
    return this.inner.remove(scope);
  }
  scopes(): Promise<IndexScope[]> {
    return this.inner.scopes();
  }
}

/** An index whose staged files are visible at once (each put commits). */
export class StagingVisible extends Forwarding {
  override async stage(scope: IndexScope, options?: StageOptions): Promise<IndexStage> {
    const inner = this.inner;
    const removed: string[] = [];
    const first = await inner.stage(scope, options);
    await first.abort();
    return {
      version: first.version,
      indexed: first.indexed,
      async put(path, source, chunks: IndexChunk[], vectors) {
        const s = await inner.stage(scope, options);
        await s.put(path, source, chunks, vectors);
        await s.commit();
      },
      remove: (path) => void removed.push(path),
      async commit() {
        const s = await inner.stage(scope, options);
        for (const p of removed) s.remove(p);
        return s.commit();
      },
      abort: async () => {},
    };
  }
}

/** An index that ignores `exclusive`: a stale commit is stacked over the newer one. */
export class StacksOverNewerCommits extends Forwarding {
  override stage(scope: IndexScope, options?: StageOptions): Promise<IndexStage> {
    const { exclusive: _dropped, ...rest } = options ?? {};
    return this.inner.stage(scope, rest);
  }
}

/** An index that ignores `$in` conditions (keeps only the equality ones). */
export class IgnoresIn extends Forwarding {
  override query(scopes: IndexScope[], query: IndexQuery): Promise<IndexHit[]> {
    const filter = Object.fromEntries(
      Object.entries(query.filter ?? {}).filter(
        ([, c]) => !(c && typeof c === "object" && "$in" in c),
      ),
    );
    return this.inner.query(scopes, { ...query, filter });
  }
}

/** An index whose `remove` says it removed but keeps everything. */
export class RemoveKeeps extends Forwarding {
  override async remove(scope: IndexScope): Promise<boolean> {
    return this.inner.exists(scope);
  }
}

/** An index that answers across every scope it holds, not just those asked. */
export class LeaksScopes extends Forwarding {
  override async query(_scopes: IndexScope[], query: IndexQuery): Promise<IndexHit[]> {
    return this.inner.query(await this.inner.scopes(), query);
  }
}

/** A vector store that ignores filters. */
export class VectorsIgnoreFilter extends MemoryVectorStore {
  override query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]> {
    return super.query(vector, { k: options.k });
  }
}

/** A vector store whose delete forgets nothing. */
export class VectorsKeepDeleted extends MemoryVectorStore {
  override async delete(_ids: string[]): Promise<void> {}
}

/** A vector store that returns its hits in storage order, not best first. */
export class VectorsUnsorted extends MemoryVectorStore {
  override async query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]> {
    const hits = await super.query(vector, options);
    return hits.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

/** A vector store that declares a k limit and answers any k. */
export class VectorsOverMaxK extends MemoryVectorStore {
  override readonly capabilities: VectorStoreCapabilities = {
    filters: ["eq", "in"],
    maxK: 10,
    persistent: false,
  };
}

/**
 * A vector store that declares itself persistent, and `reopenEmpty` gives a new store that has
 * nothing of it (as if it kept its vectors in the process only).
 */
export class VectorsNotPersistent extends MemoryVectorStore {
  override readonly capabilities: VectorStoreCapabilities = {
    filters: ["eq", "in"],
    persistent: true,
  };
  static reopenEmpty(): VectorsNotPersistent {
    return new VectorsNotPersistent();
  }
}

/** An embedding provider whose vectors depend on the rest of the batch. */
export class BatchDependentEmbeddings implements EmbeddingProvider {
  readonly name: string = "mutant";
  readonly dimensions: number = 16;
  readonly capabilities: EmbeddingProviderCapabilities = {};
  readonly #echo = new EchoEmbeddingProvider({ dimensions: 16 });
  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    const vectors = await this.#echo.embed(texts);
    return vectors.map((v) => v.map((x) => x + texts.length));
  }
}

/** An embedding provider that ignores an aborted signal. */
export class IgnoresAbort implements EmbeddingProvider {
  readonly name: string = "mutant";
  readonly dimensions: number = 16;
  readonly capabilities: EmbeddingProviderCapabilities = {};
  readonly #echo = new EchoEmbeddingProvider({ dimensions: 16 });
  embed(texts: string[]): Promise<Float32Array[]> {
    return this.#echo.embed(texts);
  }
}

/** An embedding provider that declares batches of 8 and answers only a call's first batch. */
export class DropsAfterFirstBatch implements EmbeddingProvider {
  readonly name: string = "mutant";
  readonly dimensions: number = 16;
  readonly capabilities: EmbeddingProviderCapabilities = { maxBatch: 8 };
  readonly #echo = new EchoEmbeddingProvider({ dimensions: 16 });
  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    return this.#echo.embed(texts.slice(0, 8));
  }
}
