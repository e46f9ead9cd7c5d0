/**
 * {@link OpenAICompatibleEmbeddingProvider}: embeddings from any server speaking the OpenAI
 * `POST /embeddings` API.
 * @module
 */
import { HttpError, ValidationError } from "../../errors.ts";
import type { EmbeddingProvider, EmbeddingProviderCapabilities } from "./embedding-provider.ts";

/** Options of {@link OpenAICompatibleEmbeddingProvider}. */
export interface OpenAICompatibleOptions {
  /** E.g. `https://api.openai.com/v1` or a local server; `/embeddings` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Ask the model for this many dimensions (models that support it). */
  dimensions?: number;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Seconds per request (default 60). */
  timeout?: number;
  /** A `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

/**
 * Embeddings from any server speaking the OpenAI `POST /embeddings` API.
 * @example
 * const provider = new OpenAICompatibleEmbeddingProvider({ baseUrl: "http://127.0.0.1:8080/v1", model: "bge-small" });
 */
export class OpenAICompatibleEmbeddingProvider implements EmbeddingProvider {
  readonly name: string = "openai-compatible";
  readonly capabilities: EmbeddingProviderCapabilities;
  #dimensions: number | null;
  readonly #options: OpenAICompatibleOptions;
  readonly #fetch: typeof fetch;

  constructor(options: OpenAICompatibleOptions) {
    if (!options?.baseUrl || !options.model)
      throw new ValidationError("OpenAI-compatible embeddings need baseUrl and model");
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    this.#dimensions = options.dimensions ?? null;
    const size = options.batchSize ?? 64;
    if (!Number.isInteger(size) || size < 1)
      throw new ValidationError(`Invalid batchSize ${size}: expected a positive integer`);
    this.capabilities = { maxBatch: size };
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get dimensions(): number | null {
    return this.#dimensions;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    const out: Float32Array[] = [];
    const size = this.capabilities.maxBatch as number;
    for (let i = 0; i < texts.length; i += size)
      out.push(...(await this.#batch(texts.slice(i, i + size), options.signal)));
    return out;
  }

  async #batch(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const timeout = AbortSignal.timeout((this.#options.timeout ?? 60) * 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
    };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    const body: Record<string, unknown> = { model: this.#options.model, input };
    if (this.#options.dimensions) body.dimensions = this.#options.dimensions;
    const response = await this.#fetch(`${this.#options.baseUrl}/embeddings`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!response.ok) {
      throw new HttpError(
        response.status,
        `Embedding request failed with ${response.status}: ${(await response.text()).slice(0, 500)}`,
      );
    }
    const json = (await response.json()) as { data?: { embedding?: number[]; index?: number }[] };
    const data = json.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new HttpError(
        502,
        `Embedding response has ${Array.isArray(data) ? data.length : "no"} vectors for ${input.length} inputs`,
      );
    }
    const vectors = new Array<Float32Array>(input.length);
    data.forEach((item, position) => {
      if (!Array.isArray(item.embedding))
        throw new HttpError(502, "Embedding response item without an embedding array");
      vectors[item.index ?? position] = Float32Array.from(item.embedding);
    });
    const dims = vectors[0]?.length ?? null;
    if (dims !== null) {
      if (this.#dimensions !== null && dims !== this.#dimensions) {
        throw new HttpError(
          502,
          `Embedding model returned ${dims} dimensions, expected ${this.#dimensions}`,
        );
      }
      this.#dimensions = dims;
    }
    return vectors;
  }
}
