/**
 * The `EmbeddingProvider` conformance suite: the echo provider, the OpenAI-compatible client
 * (against a local server) and Workers AI (over a faithful fake) run it. The batching case runs
 * only for a provider that declares `capabilities.maxBatch` (it is skipped, with the reason,
 * otherwise).
 * @module
 */
import type {
  EmbeddingProvider,
  EmbeddingProviderCapabilities,
} from "../core/knowledge/embed/embedding-provider.ts";
import { cosine, itUnless, rejection, type TestHarness } from "./harness.ts";

/** Options of {@link embeddingProviderSuite}. */
export interface EmbeddingProviderSuiteOptions {
  name: string;
  create(): Promise<EmbeddingProvider> | EmbeddingProvider;
  /** What the provider declares (default: no `maxBatch`); the suite checks it says the same. */
  capabilities?: EmbeddingProviderCapabilities;
}

/** Runs the `EmbeddingProvider` conformance suite. */
export function embeddingProviderSuite(
  h: TestHarness,
  options: EmbeddingProviderSuiteOptions,
): void {
  const { describe, it, expect, beforeEach } = h;
  const maxBatch = options.capabilities?.maxBatch;
  const itBatched = itUnless(h, maxBatch === undefined && "the provider declares no maxBatch");
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

    it("capabilities - the provider declares what the suite was told", () => {
      expect(provider.capabilities.maxBatch).toBe(maxBatch);
    });

    itBatched(
      "embed.max-batch - more than maxBatch texts come back whole, one per text, in order",
      async () => {
        const n = 2 * (maxBatch as number) + 1;
        const texts = Array.from({ length: n }, (_, i) => `Batch text ${i}, on subject ${i % 5}.`);
        const all = await provider.embed(texts);
        expect(all).toHaveLength(n);
        for (const i of [0, maxBatch as number, n - 1]) {
          const [alone] = await provider.embed([texts[i] as string]);
          expect(cosine(alone as Float32Array, all[i] as Float32Array)).toBeGreaterThan(0.999);
        }
      },
    );

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
