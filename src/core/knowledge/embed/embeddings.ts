/**
 * Embedding providers: the deterministic `echo` provider for tests and any OpenAI-compatible
 * HTTP endpoint. Workers AI joins through `botknobs/cloudflare`.
 * @module
 */
import { HttpError, ValidationError } from "../../errors.ts";

/** Turns texts into vectors. */
export interface EmbeddingProvider {
  /** A short name, stored with a persisted index (`"echo"`, `"openai-compatible"`). */
  readonly name: string;
  /** Vector length; `null` until known (an HTTP model reports it with its first answer). */
  readonly dimensions: number | null;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

/**
 * Deterministic vectors from SHA-256 (the original's echo provider): the text's digest, then the
 * digest of the digest, each byte mapped to `byte / 127.5 - 1`. Only identical texts score 1.0;
 * there is no meaning in it. For tests and offline demos.
 * @example
 * const echo = new EchoEmbeddingProvider({ dimensions: 384 });
 */
export class EchoEmbeddingProvider implements EmbeddingProvider {
  readonly name: string = "echo";
  readonly dimensions: number;

  constructor(options: { dimensions?: number } = {}) {
    const d = options.dimensions ?? 768;
    if (!Number.isInteger(d) || d < 1 || d > 65_536)
      throw new ValidationError(`Invalid dimensions ${d}: expected an integer 1–65536`);
    this.dimensions = d;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    return Promise.all(texts.map((t) => this.#one(t)));
  }

  async #one(text: string): Promise<Float32Array> {
    const out = new Float32Array(this.dimensions);
    let digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    );
    let i = 0;
    for (;;) {
      for (const byte of digest) {
        if (i === out.length) return out;
        out[i++] = byte / 127.5 - 1;
      }
      digest = new Uint8Array(await crypto.subtle.digest("SHA-256", digest));
    }
  }
}

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
  #dimensions: number | null;
  readonly #options: OpenAICompatibleOptions;
  readonly #fetch: typeof fetch;

  constructor(options: OpenAICompatibleOptions) {
    if (!options?.baseUrl || !options.model)
      throw new ValidationError("OpenAI-compatible embeddings need baseUrl and model");
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    this.#dimensions = options.dimensions ?? null;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get dimensions(): number | null {
    return this.#dimensions;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    const out: Float32Array[] = [];
    const size = this.#options.batchSize ?? 64;
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
