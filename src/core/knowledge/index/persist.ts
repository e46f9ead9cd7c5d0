/**
 * Persisting a knowledge base: one JSON document with its chunks, file states, BM25 index and
 * vectors. It is what the browser keeps in IndexedDB and the Worker in R2/KV.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { JsonObject } from "../../validate.ts";
import type { SourceState, StoredChunk } from "../search/types.ts";
import type { Bm25IndexJson } from "./bm25/types.ts";
import { ID_SEPARATOR } from "./domain-update.ts";
import type { IndexStore } from "./index-store.ts";
import { MemoryVectorStore, type MemoryVectorStoreJson } from "./vector-store.ts";

/** The stored form of a knowledge base. */
export interface KnowledgeBaseJson {
  format: "botknobs.kb";
  version: 1;
  fingerprint: string;
  embedding: { name: string; dimensions: number | null } | null;
  /** Per domain, per path: the indexed file version and its chunk ids. */
  domains: Record<string, Record<string, SourceState>>;
  /** Live chunks: `[id, text, headingPath, headings, lineNumber, fileMetadata?]`. */
  chunks: [string, string, string, string[], number, JsonObject?][];
  bm25: Bm25IndexJson;
  vectors: MemoryVectorStoreJson | null;
}

/** Snapshot of an index store (only committed, live chunks; call it with no update open). */
export function snapshot(
  store: IndexStore,
  fingerprint: string,
  embedding: KnowledgeBaseJson["embedding"],
): KnowledgeBaseJson {
  const domains: KnowledgeBaseJson["domains"] = {};
  for (const [d, sources] of store.domains) domains[d] = Object.fromEntries(sources);
  const chunks: KnowledgeBaseJson["chunks"] = [];
  for (const id of store.live) {
    const c = store.chunks.get(id);
    if (!c) continue;
    const row: KnowledgeBaseJson["chunks"][number] = [
      c.id,
      c.text,
      c.headingPath,
      c.headings,
      c.lineNumber,
    ];
    if (Object.keys(c.fileMetadata).length) row.push(c.fileMetadata);
    chunks.push(row);
  }
  if (!(store.vectors === null || store.vectors instanceof MemoryVectorStore)) {
    throw new ValidationError(
      `Only memory vector stores are saved with the knowledge base (this one is '${store.vectors.name}', which persists itself)`,
    );
  }
  return {
    format: "botknobs.kb",
    version: 1,
    fingerprint,
    embedding,
    domains,
    chunks,
    bm25: store.bm25.toJSON(),
    vectors: store.vectors?.toJSON() ?? null,
  };
}

/** Rebuilds chunks and file states from a snapshot into an empty store. */
export function restore(store: IndexStore, data: KnowledgeBaseJson): void {
  const live = new Set<string>();
  for (const [id, text, headingPath, headings, lineNumber, fileMetadata] of data.chunks) {
    const [domainId, source, index] = id.split(ID_SEPARATOR) as [string, string, string];
    const chunk: StoredChunk = {
      id,
      chunkId: [domainId, source, index].join(ID_SEPARATOR),
      domainId,
      source,
      chunkIndex: Number(index),
      text,
      headingPath,
      headings,
      lineNumber,
      fileMetadata: fileMetadata ?? {},
    };
    store.chunks.set(id, chunk);
    live.add(id);
  }
  for (const [d, sources] of Object.entries(data.domains))
    store.domains.set(d, new Map(Object.entries(sources)));
  store.live = live;
}

/** Checks the envelope of a snapshot. */
export function checkSnapshot(data: unknown): KnowledgeBaseJson {
  const d = data as KnowledgeBaseJson;
  if (
    d?.format !== "botknobs.kb" ||
    d.version !== 1 ||
    !Array.isArray(d.chunks) ||
    typeof d.domains !== "object"
  ) {
    throw new ValidationError("Not a botknobs knowledge base snapshot (format/version)");
  }
  return d;
}
