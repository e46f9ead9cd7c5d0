/**
 * {@link InMemoryKnowledgeBackend}: knowledge files in memory, for tests and development.
 * @module
 */
import { MemoryBlobStore } from "../../blob/memory-blob-store.ts";
import { BlobKnowledgeBackend, type BlobKnowledgeBackendOptions } from "./blob-backend.ts";

/**
 * Knowledge files in memory (the blob-store backend over {@link MemoryBlobStore}).
 * @example
 * const kb = new InMemoryKnowledgeBackend();
 * await kb.createKb("my-domain", { metadata: { description: "My KB" } });
 */
export class InMemoryKnowledgeBackend extends BlobKnowledgeBackend {
  constructor(options: Omit<BlobKnowledgeBackendOptions, "store" | "prefix"> = {}) {
    super({ ...options, store: new MemoryBlobStore() });
  }
}
