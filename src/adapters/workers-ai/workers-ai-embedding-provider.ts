/**
 * {@link WorkersAIEmbeddingProvider}: the `EmbeddingProvider` port over a Workers AI binding.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type {
  EmbeddingProvider,
  EmbeddingProviderCapabilities,
} from "../../core/knowledge/embed/embedding-provider.ts";
import {
  type AiEmbeddingOutputLike,
  type AiLike,
  WORKERS_AI_EMBEDDING_DIMENSIONS,
  WORKERS_AI_LIMITS,
} from "./types.ts";

/** Options of {@link WorkersAIEmbeddingProvider}. */
export interface WorkersAIEmbeddingOptions {
  /** The Workers AI binding (`env.AI`). */
  ai: AiLike;
  /** A text-embedding model; default `@cf/baai/bge-base-en-v1.5` (768 dimensions). */
  model?: string;
  /** The model's output length; default: known for the bge models, else learnt from the first answer. */
  dimensions?: number;
  /** Texts per call, 1–100 (default 100, the models' limit). */
  batchSize?: number;
  /** The bge models' pooling (`cls` is more accurate; not compatible with `mean` vectors). Default: the model's (`mean`). */
  pooling?: "mean" | "cls";
}

const ADAPTER = "workers-ai";

/**
 * Embeddings from Workers AI, in calls of at most 100 texts (the models' input limit). Each
 * text is read up to the model's 512 tokens. A failed call is an `AdapterError` naming
 * `workers-ai` and the model.
 * @example
 * const embeddings = new WorkersAIEmbeddingProvider({ ai: env.AI });
 * const [vector] = await embeddings.embed(["How do I reset my password?"]);
 */
export class WorkersAIEmbeddingProvider implements EmbeddingProvider {
  readonly name: string = "workers-ai";
  /** `maxBatch`: the `batchSize` option (at most 100, the models' input limit). */
  readonly capabilities: EmbeddingProviderCapabilities;
  /** The model every call runs. */
  readonly model: string;
  readonly #ai: AiLike;
  readonly #batchSize: number;
  readonly #pooling: "mean" | "cls" | undefined;
  #dimensions: number | null;

  constructor(options: WorkersAIEmbeddingOptions) {
    if (!options?.ai || typeof options.ai.run !== "function")
      throw new ValidationError("WorkersAIEmbeddingProvider needs a Workers AI binding as `ai`");
    this.model = options.model ?? "@cf/baai/bge-base-en-v1.5";
    const size = options.batchSize ?? WORKERS_AI_LIMITS.textsPerCall;
    if (!Number.isInteger(size) || size < 1 || size > WORKERS_AI_LIMITS.textsPerCall)
      throw new ValidationError(
        `Invalid batchSize ${size}: Workers AI takes 1–${WORKERS_AI_LIMITS.textsPerCall} texts a call`,
      );
    const d = options.dimensions ?? WORKERS_AI_EMBEDDING_DIMENSIONS[this.model] ?? null;
    if (d !== null && (!Number.isInteger(d) || d < 1))
      throw new ValidationError(`Invalid dimensions ${d}: expected a positive integer`);
    this.#ai = options.ai;
    this.#batchSize = size;
    this.capabilities = { maxBatch: size };
    this.#pooling = options.pooling;
    this.#dimensions = d;
  }

  /** The model's vector length; `null` for a model not known by name until its first answer. */
  get dimensions(): number | null {
    return this.#dimensions;
  }

  /** One vector per text, in order, in calls of at most `batchSize` texts; the signal aborts between and during calls. */
  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string"))
      throw new ValidationError("embed takes an array of strings");
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.#batchSize) {
      options.signal?.throwIfAborted();
      out.push(...(await this.#batch(texts.slice(i, i + this.#batchSize), options.signal)));
    }
    return out;
  }

  #fail(message: string, cause?: unknown): never {
    throw new AdapterError(
      ADAPTER,
      `model ${this.model}: ${message}`,
      cause === undefined ? {} : { cause },
    );
  }

  async #batch(text: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    let answer: unknown;
    try {
      answer = await this.#ai.run(
        this.model,
        this.#pooling ? { text, pooling: this.#pooling } : { text },
        signal ? { signal } : undefined,
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      this.#fail(
        `run of ${text.length} texts failed: ${(error as Error)?.message ?? error}`,
        error,
      );
    }
    const data = (answer as AiEmbeddingOutputLike | null)?.data;
    if (!Array.isArray(data) || data.length !== text.length)
      this.#fail(
        `answered ${Array.isArray(data) ? data.length : "no"} vectors for ${text.length} texts (expected { shape, data })`,
      );
    const vectors = data.map((row) => {
      if (!Array.isArray(row) || !row.every(Number.isFinite))
        this.#fail("answered a vector that is not an array of finite numbers");
      return Float32Array.from(row);
    });
    const d = vectors[0]?.length;
    if (d !== undefined) {
      this.#dimensions ??= d;
      if (vectors.some((v) => v.length !== this.#dimensions))
        this.#fail(`answered vectors of ${d} dimensions, expected ${this.#dimensions}`);
    }
    return vectors;
  }
}
