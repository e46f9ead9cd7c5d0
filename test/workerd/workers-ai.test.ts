// WorkersAIEmbeddingProvider inside workerd, against a faithful fake of the Workers AI binding
// (test/fixtures/fake-workers-ai.ts): the local simulation has no Workers AI.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkersAIEmbeddingProvider } from "../../src/adapters/workers-ai/index.ts";
import { AdapterError, ValidationError } from "../../src/core/errors.ts";
import { conformance, expectRejects, thrown } from "../../src/testing/index.ts";
import { FakeWorkersAI } from "../fixtures/fake-workers-ai.ts";

const h = { describe, it, expect, beforeEach, afterEach };

conformance(h, {
  name: "WorkersAIEmbeddingProvider over a fake Workers AI (bge-base-en-v1.5)",
  embeddingProvider: {
    create: () => new WorkersAIEmbeddingProvider({ ai: new FakeWorkersAI() }),
    capabilities: { maxBatch: 100 },
  },
});

conformance(h, {
  name: "WorkersAIEmbeddingProvider over a fake Workers AI (bge-small, cls pooling, batches of 7)",
  embeddingProvider: {
    create: () =>
      new WorkersAIEmbeddingProvider({
        ai: new FakeWorkersAI(),
        model: "@cf/baai/bge-small-en-v1.5",
        pooling: "cls",
        batchSize: 7,
      }),
    capabilities: { maxBatch: 7 },
  },
});

describe("WorkersAIEmbeddingProvider - Workers AI's limits and errors", () => {
  it("768 dimensions by default; calls of at most 100 texts, in order", async () => {
    const ai = new FakeWorkersAI();
    const provider = new WorkersAIEmbeddingProvider({ ai });
    expect(provider.model).toBe("@cf/baai/bge-base-en-v1.5");
    expect(provider.dimensions).toBe(768);
    const texts = Array.from({ length: 250 }, (_, i) => `text ${i}`);
    const vectors = await provider.embed(texts);
    expect(ai.calls.map((c) => c.texts)).toEqual([100, 100, 50]);
    const [again] = await provider.embed([texts[201] as string]);
    expect(Array.from(again as Float32Array)).toEqual(Array.from(vectors[201] as Float32Array));
  });

  it("a model it does not know by name learns its dimensions from the first answer", async () => {
    const provider = new WorkersAIEmbeddingProvider({
      ai: new FakeWorkersAI(),
      model: "@cf/baai/bge-large-en-v1.5",
    });
    expect(provider.dimensions).toBe(1024);
    const unknown = new WorkersAIEmbeddingProvider({ ai: new FakeWorkersAI(), model: "@cf/x/y" });
    expect(unknown.dimensions).toBe(null);
  });

  it("a failing call is an AdapterError naming workers-ai and the model, with the cause", async () => {
    const ai = new FakeWorkersAI();
    const provider = new WorkersAIEmbeddingProvider({ ai, model: "@cf/nobody/none" });
    const error = (await expectRejects(
      h,
      provider.embed(["x"]),
      AdapterError,
      "@cf/nobody/none",
    )) as AdapterError;
    expect(error.adapter).toBe("workers-ai");
    expect((error.cause as Error).message).toContain("No such model");
    const good = new WorkersAIEmbeddingProvider({ ai });
    ai.failWith = new Error("AiError: 3040: Capacity temporarily exceeded");
    await expectRejects(h, good.embed(["x"]), AdapterError, "Capacity");
  });

  it("an answer of the wrong shape is an AdapterError, not a wrong vector", async () => {
    const wrong = { run: async () => ({ shape: [1, 768], data: [] }) };
    await expectRejects(
      h,
      new WorkersAIEmbeddingProvider({ ai: wrong }).embed(["x"]),
      AdapterError,
      "0 vectors for 1",
    );
    const queued = { run: async () => ({ request_id: "abc" }) };
    await expectRejects(
      h,
      new WorkersAIEmbeddingProvider({ ai: queued }).embed(["x"]),
      AdapterError,
      "no vectors",
    );
    const short = { run: async () => ({ shape: [1, 3], data: [[1, 2, 3]] }) };
    await expectRejects(
      h,
      new WorkersAIEmbeddingProvider({ ai: short }).embed(["x"]),
      AdapterError,
      "expected 768",
    );
  });

  it("bad options and inputs are ValidationErrors", async () => {
    const ai = new FakeWorkersAI();
    expect(thrown(() => new WorkersAIEmbeddingProvider({ ai, batchSize: 101 }))).toBeInstanceOf(
      ValidationError,
    );
    expect(thrown(() => new WorkersAIEmbeddingProvider({ ai: {} as never }))).toBeInstanceOf(
      ValidationError,
    );
    await expectRejects(
      h,
      new WorkersAIEmbeddingProvider({ ai }).embed([1 as never]),
      ValidationError,
    );
    expect(ai.calls).toEqual([]);
  });

  it("the fake holds the models' limits: 1–100 texts a call, known models only", async () => {
    const ai = new FakeWorkersAI();
    const text = Array.from({ length: 101 }, (_, i) => `t${i}`);
    await expect(ai.run("@cf/baai/bge-base-en-v1.5", { text })).rejects.toThrow("100 items");
    await expect(ai.run("@cf/baai/bge-base-en-v1.5", { text: [] })).rejects.toThrow("at least 1");
    await expect(ai.run("@cf/none/none", { text: ["x"] })).rejects.toThrow("No such model");
    const answer = await ai.run("@cf/baai/bge-base-en-v1.5", { text: ["a", "b"] });
    expect(answer.shape).toEqual([2, 768]);
    expect(answer.data.map((row) => row.length)).toEqual([768, 768]);
  });
});
