/**
 * The structural subset of a Workers AI binding (`env.AI`) that
 * {@link WorkersAIEmbeddingProvider} uses, and the embedding models' limits. A type test checks
 * that the real `Ai` class of `@cloudflare/workers-types` is assignable to it.
 * @module
 */

/**
 * An abort signal as the binding takes it (structural, so that the DOM's and workerd's
 * `AbortSignal` types both fit).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/**
 * The part of the `Ai` binding the provider calls: a text-embedding model's `run`.
 * @example
 * const ai: AiLike = env.AI;
 */
export interface AiLike {
  run(
    model: string,
    inputs: { text: string[]; pooling?: "mean" | "cls" },
    options?: { signal?: AbortSignalLike },
  ): Promise<unknown>;
}

/** What a text-embedding model answers: `shape` is `[texts, dimensions]`. */
export interface AiEmbeddingOutputLike {
  shape?: number[];
  data?: number[][];
}

/**
 * Workers AI's limits for the text-embedding models (developers.cloudflare.com/workers-ai/models/).
 * @example
 * new WorkersAIEmbeddingProvider({ ai: env.AI, batchSize: WORKERS_AI_LIMITS.textsPerCall });
 */
export const WORKERS_AI_LIMITS: {
  /** Texts per `run` call: the models' input schema takes at most 100 items in `text`. */
  readonly textsPerCall: number;
  /** "Maximum Input Tokens: 512" for the bge models (the model reads no further). */
  readonly inputTokens: number;
} = { textsPerCall: 100, inputTokens: 512 };

/**
 * Output dimensions of the Workers AI embedding models botknobs knows by name.
 * @example
 * WORKERS_AI_EMBEDDING_DIMENSIONS["@cf/baai/bge-base-en-v1.5"] // 768
 */
export const WORKERS_AI_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-large-en-v1.5": 1024,
  "@cf/baai/bge-m3": 1024,
};
