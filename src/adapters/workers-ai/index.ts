/**
 * The Workers AI adapter: {@link WorkersAIEmbeddingProvider} behind the `EmbeddingProvider`
 * port. Exported from `botknobs/cloudflare`.
 * @module
 */
export {
  type AbortSignalLike,
  type AiEmbeddingOutputLike,
  type AiLike,
  WORKERS_AI_EMBEDDING_DIMENSIONS,
  WORKERS_AI_LIMITS,
} from "./types.ts";
export {
  type WorkersAIEmbeddingOptions,
  WorkersAIEmbeddingProvider,
} from "./workers-ai-embedding-provider.ts";
