// The vector-store and embedding-provider suites catch broken Cloudflare adapters: each mutant
// (the real adapter with one bug, put in through its binding or its options) fails named cases,
// while the same adapter over an honest fake passes in full (test/workerd/vectorize.test.ts,
// test/workerd/workers-ai.test.ts). Inside workerd, over the faithful fakes.
import { describe, expect, it } from "vitest";
import {
  type AiLike,
  VectorizeVectorStore,
  WorkersAIEmbeddingProvider,
} from "../../src/adapters/cloudflare/index.ts";
import { embeddingProviderSuite, vectorStoreSuite } from "../../src/testing/index.ts";
import { FakeVectorize } from "../fixtures/fake-vectorize.ts";
import { FakeWorkersAI } from "../fixtures/fake-workers-ai.ts";
import { type CaseResult, caseIds, recordingHarness } from "../mutants/harness.ts";

const failed = (results: CaseResult[]): string[] => caseIds(results, "failed");

async function vectors(create: () => VectorizeVectorStore): Promise<CaseResult[]> {
  const h = recordingHarness(expect);
  vectorStoreSuite(h, { name: "mutant", create, capabilities: { maxK: 100, persistent: true } });
  return h.run();
}

describe("Cloudflare adapter mutants fail their port's suite", () => {
  it("Vectorize: declaring no lag over an index that applies writes 40 ms late", async () => {
    const results = await vectors(
      () =>
        new VectorizeVectorStore({
          index: new FakeVectorize({ dimensions: 16, lagMs: 40, random: () => 0.9999 }),
          visibilityLagMs: 0,
        }),
    );
    expect(failed(results)).toEqual(
      expect.arrayContaining(["query", "upsert.replaces", "delete", "filter.in"]),
    );
  });

  it("Vectorize: $in sent as equality on its first value", async () => {
    const results = await vectors(() => {
      const fake = new FakeVectorize({ dimensions: 16, metadataIndexes: ["lang", "n"] });
      const query = fake.query.bind(fake);
      fake.query = (vector, options = {}) => {
        const filter = Object.fromEntries(
          Object.entries(options.filter ?? {}).map(([k, c]) => {
            const list = (c as { $in?: unknown[] } | null)?.$in;
            return [k, list ? { $eq: list[0] } : c];
          }),
        );
        return query(vector, options.filter ? { ...options, filter } : options);
      };
      return new VectorizeVectorStore({ index: fake, visibilityLagMs: 0 });
    });
    expect(failed(results)).toEqual(["filter.in"]);
  });

  it("Workers AI: the vectors of a call answered in reverse order", async () => {
    const h = recordingHarness(expect);
    embeddingProviderSuite(h, {
      name: "mutant",
      create: () => {
        const fake = new FakeWorkersAI();
        const ai: AiLike = {
          run: async (model, inputs, options) => {
            const answer = await fake.run(model, inputs, options);
            return { ...answer, data: [...answer.data].reverse() };
          },
        };
        return new WorkersAIEmbeddingProvider({ ai });
      },
      capabilities: { maxBatch: 100 },
    });
    expect(failed(await h.run())).toEqual(["embed.max-batch", "embed.batch-independent"]);
  });
});
