/**
 * {@link InMemoryKnowledgeBackend}: knowledge files in memory, for tests and development.
 * @module
 */
import { MemoryBlobStore } from "../../blob/memory-blob-store.ts";
import { BlobKnowledgeBackend, type BlobKnowledgeBackendOptions } from "./blob-backend.ts";

/**
 * Knowledge files in memory (the blob-store backend over {@link MemoryBlobStore}). No copies at
 * `<domain>/<path>` are kept by default: no other tool can read this process's memory.
 * @example
 * const kb = new InMemoryKnowledgeBackend();
 * await kb.createKb("my-domain", { metadata: { description: "My KB" } });
 */
export class InMemoryKnowledgeBackend extends BlobKnowledgeBackend {
  constructor(options: Omit<BlobKnowledgeBackendOptions, "store" | "prefix"> = {}) {
    super({ mirror: false, ...options, store: new MemoryBlobStore() });
  }
}
