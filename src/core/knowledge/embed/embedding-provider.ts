/**
 * The {@link EmbeddingProvider} port and its capabilities (types only). The implementations:
 * `EchoEmbeddingProvider` (echo-embedding-provider.ts), `OpenAICompatibleEmbeddingProvider`
 * (openai-compatible-embedding-provider.ts); Workers AI joins through `botknobs/workers-ai`.
 * @module
 */

/** What an embedding provider can do, as data; the conformance suite gates on it. */
export interface EmbeddingProviderCapabilities {
  /**
   * The most texts one request to the model carries: `embed` splits a longer list into
   * requests of at most this many, and answers one vector per text all the same. Absent: no
   * requests (a local provider embeds any number at once).
   */
  maxBatch?: number;
}

/** Turns texts into vectors. */
export interface EmbeddingProvider {
  /** A short name, stored with a persisted index (`"echo"`, `"openai-compatible"`). */
  readonly name: string;
  /** Vector length; `null` until known (an HTTP model reports it with its first answer). */
  readonly dimensions: number | null;
  readonly capabilities: EmbeddingProviderCapabilities;
  /** One vector per text, in order; an aborted `signal` rejects with its `AbortError`. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}
