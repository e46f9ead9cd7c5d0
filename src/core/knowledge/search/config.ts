/**
 * `RAGKnowledgeBase.fromConfig`: the seed's configuration keys, as written.
 * @module
 */
import * as z from "zod/mini";
import { UnsupportedError, ValidationError } from "../../errors.ts";
import { createFromTable, type FactoryTable } from "../../util/factory.ts";
import { parseWith } from "../../validate.ts";
import { EchoEmbeddingProvider } from "../embed/echo-embedding-provider.ts";
import type { EmbeddingProvider } from "../embed/embedding-provider.ts";
import { OpenAICompatibleEmbeddingProvider } from "../embed/openai-compatible-embedding-provider.ts";
import type { SearchIndex } from "../index/types.ts";
import type { RAGKnowledgeBaseOptions } from "./options.ts";

const positiveInt = z.number().check(z.int(), z.positive());

/** The accepted configuration (the seed's snake_case keys). */
export const ragConfigSchema: z.ZodMiniType<RagConfig> = z.strictObject({
  // Other keys belong to the backend named (its factory entry checks them).
  vector_store: z.optional(
    z.looseObject({
      backend: z.optional(z.string()),
      dimensions: z.optional(positiveInt),
      metric: z.optional(z.literal("cosine")),
    }),
  ),
  embedding_provider: z.optional(z.string()),
  embedding_model: z.optional(z.string()),
  embedding_base_url: z.optional(z.string()),
  embedding_api_key: z.optional(z.string()),
  embedding_dimensions: z.optional(positiveInt),
  chunking: z.optional(
    z.strictObject({
      max_chunk_size: z.optional(positiveInt),
      chunk_overlap: z.optional(z.number().check(z.int(), z.nonnegative())),
      combine_under_heading: z.optional(z.boolean()),
    }),
  ),
  documents_path: z.optional(z.string()),
}) as unknown as z.ZodMiniType<RagConfig>;

/** The configuration of {@link RAGKnowledgeBase.fromConfig}. */
export interface RagConfig {
  /**
   * `backend` (default `memory`: the built-in index) and, for a backend of `indexes` (the host
   * option), that backend's keys: `{ backend: "sqlite", path: "./search.db" }`.
   */
  vector_store?: {
    backend?: string;
    dimensions?: number;
    metric?: "cosine";
    [key: string]: unknown;
  };
  /** `"echo"` (tests), `"openai"` / `"openai-compatible"`; omitted: lexical only. */
  embedding_provider?: string;
  embedding_model?: string;
  /** For OpenAI-compatible servers (default `https://api.openai.com/v1`). */
  embedding_base_url?: string;
  embedding_api_key?: string;
  embedding_dimensions?: number;
  chunking?: { max_chunk_size?: number; chunk_overlap?: number; combine_under_heading?: boolean };
  documents_path?: string;
}

/** What the host passes besides the configuration (things a JSON config cannot hold). */
export interface RagHostOptions {
  embeddingProvider?: EmbeddingProvider;
  /** The search index (wins over `vector_store.backend`). */
  index?: SearchIndex;
  /**
   * Search index types by `vector_store.backend` name, each made from the other keys of
   * `vector_store` (`nodeSearchIndexes` of `botknobs/node`: `sqlite`, `postgres`).
   */
  indexes?: FactoryTable<SearchIndex>;
  fetch?: typeof fetch;
}

/** Turns a seed-style configuration into constructor options. */
export function optionsFromConfig(
  config: unknown,
  host: RagHostOptions = {},
): RAGKnowledgeBaseOptions {
  const c = parseWith(ragConfigSchema, config ?? {}, "RAG config");
  if (c.documents_path !== undefined) {
    throw new UnsupportedError(
      "documents_path is not read by the core (no file system); ingest files with KnowledgeIngestionManager",
    );
  }
  const { backend = "memory", dimensions: _d, metric: _m, ...keys } = c.vector_store ?? {};
  let index = host.index;
  if (!index && host.indexes && Object.hasOwn(host.indexes, backend))
    index = createFromTable("vector store backend", host.indexes, backend, keys);
  else if (!index && (backend !== "memory" || Object.keys(keys).length > 0)) {
    const known = ["memory", ...Object.keys(host.indexes ?? {})].join(", ");
    throw new ValidationError(
      backend === "memory"
        ? `Unknown vector_store keys for backend memory: ${Object.keys(keys).join(", ")}`
        : `Unknown vector store backend '${backend}': known here: ${known}; pass a search index for others (host option index or indexes)`,
    );
  }
  const dimensions = c.embedding_dimensions ?? c.vector_store?.dimensions;
  let embeddingProvider: EmbeddingProvider | null = host.embeddingProvider ?? null;
  const name = c.embedding_provider?.toLowerCase();
  if (!embeddingProvider && name !== undefined) {
    if (name === "echo")
      embeddingProvider = new EchoEmbeddingProvider(dimensions ? { dimensions } : {});
    else if (name === "openai" || name === "openai-compatible") {
      if (!c.embedding_model)
        throw new ValidationError("embedding_model is required for OpenAI-compatible embeddings");
      embeddingProvider = new OpenAICompatibleEmbeddingProvider({
        baseUrl: c.embedding_base_url ?? "https://api.openai.com/v1",
        model: c.embedding_model,
        ...(c.embedding_api_key ? { apiKey: c.embedding_api_key } : {}),
        ...(c.embedding_dimensions ? { dimensions: c.embedding_dimensions } : {}),
        ...(host.fetch ? { fetch: host.fetch } : {}),
      });
    } else {
      throw new ValidationError(
        `Unknown embedding_provider '${c.embedding_provider}': expected echo, openai or openai-compatible`,
      );
    }
  }
  // The seed's default, and the only way this chunker works: a chunk gathers one heading's content.
  if (c.chunking?.combine_under_heading === false)
    throw new ValidationError(
      "chunking.combine_under_heading: false is not supported: chunks always gather the content under one heading (true, the seed's default)",
      [{ path: ["chunking", "combine_under_heading"], message: "only true is supported" }],
    );
  const chunking: RAGKnowledgeBaseOptions["chunking"] = {};
  if (c.chunking?.max_chunk_size !== undefined) chunking.maxChunkSize = c.chunking.max_chunk_size;
  if (c.chunking?.chunk_overlap !== undefined) chunking.chunkOverlap = c.chunking.chunk_overlap;
  return {
    embeddingProvider,
    ...(index ? { index } : {}),
    chunking,
  };
}
