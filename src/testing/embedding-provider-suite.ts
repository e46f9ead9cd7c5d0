/**
 * The `EmbeddingProvider` conformance suite: the echo provider and the OpenAI-compatible client
 * (against a local server) run it; other providers (Workers AI, …) are meant to.
 * @module
 */
import type { EmbeddingProvider } from "../core/knowledge/embed/embeddings.ts";
import { cosine, rejection, type TestHarness } from "./harness.ts";

/** Options of {@link embeddingProviderSuite}. */
export interface EmbeddingProviderSuiteOptions {
  name: string;
  create(): Promise<EmbeddingProvider> | EmbeddingProvider;
}

/** Runs the `EmbeddingProvider` conformance suite. */
export function embeddingProviderSuite(
  h: TestHarness,
  options: EmbeddingProviderSuiteOptions,
): void {
  const { describe, it, expect, beforeEach } = h;
  describe(`EmbeddingProvider conformance: ${options.name}`, () => {
    let provider: EmbeddingProvider;
    beforeEach(async () => {
      provider = await options.create();
    });

    it("embed - one finite vector per text, in order, of the declared length", async () => {
      expect(typeof provider.name === "string" && provider.name.length > 0).toBe(true);
      const texts = ["Reset your password.", "Ünïcødé — 文档 🙂", "", "a".repeat(2000)];
      const vectors = await provider.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      const dims = provider.dimensions;
      expect(typeof dims).toBe("number");
      for (const v of vectors) {
        expect(v instanceof Float32Array).toBe(true);
        expect(v.length).toBe(dims);
        expect(v.every(Number.isFinite)).toBe(true);
      }
    });

    it("embed.empty - no texts, no vectors", async () => {
      expect(await provider.embed([])).toEqual([]);
    });

    it("embed.batch-independent - a text's vector does not depend on its batch or position", async () => {
      const texts = Array.from(
        { length: 130 },
        (_, i) => `Sentence number ${i} about topic ${i % 7}.`,
      );
      const all = await provider.embed(texts);
      expect(all).toHaveLength(130);
      for (const i of [0, 64, 129]) {
        const [alone] = await provider.embed([texts[i] as string]);
        expect(cosine(alone as Float32Array, all[i] as Float32Array)).toBeGreaterThan(0.999);
      }
      expect(cosine(all[0] as Float32Array, all[1] as Float32Array)).toBeLessThan(0.99999);
    });

    it("embed.abort - an aborted signal rejects with an AbortError", async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(provider.embed(["x"], { signal: controller.signal }));
      expect((error as Error | undefined)?.name).toBe("AbortError");
    });
  });
}
