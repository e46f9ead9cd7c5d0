/**
 * {@link EchoEmbeddingProvider}: deterministic vectors for tests and offline demos.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import type { EmbeddingProvider, EmbeddingProviderCapabilities } from "./embedding-provider.ts";

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
  /** No requests: any number of texts is embedded in one go. */
  readonly capabilities: EmbeddingProviderCapabilities = {};

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
