// VectorizeVectorStore inside workerd, against a faithful fake of the Vectorize binding
// (test/fixtures/fake-vectorize.ts): the local simulation has no Vectorize.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ORIGINAL_ID_FIELD,
  VECTORIZE_LIMITS,
  VectorizeVectorStore,
} from "../../src/adapters/vectorize/index.ts";
import { AdapterError, ValidationError } from "../../src/core/errors.ts";
import type { VectorStore } from "../../src/core/knowledge/index/vector-store.ts";
import { conformance, expectRejects, fakeClock } from "../../src/testing/index.ts";
import { FakeVectorize } from "../fixtures/fake-vectorize.ts";

const h = { describe, it, expect, beforeEach, afterEach };

// Vectorize answers k ≤ 100 and keeps what is written: a second store over the same index finds it.
const capabilities = { maxK: VECTORIZE_LIMITS.topK, persistent: true };
const reopen = (store: VectorStore): VectorStore =>
  new VectorizeVectorStore({
    index: fakes.get(store) as FakeVectorize,
    visibilityLagMs: store.capabilities.visibilityLagMs ?? 0,
  });
const fakes = new WeakMap<VectorStore, FakeVectorize>();
const over = (fake: FakeVectorize, store: VectorizeVectorStore): VectorizeVectorStore => {
  fakes.set(store, fake);
  return store;
};

conformance(h, {
  name: "VectorizeVectorStore over a fake Vectorize with 20 ms visibility lag (waited out, no settled())",
  vectorStore: {
    create: () => {
      const fake = new FakeVectorize({ dimensions: 16, metadataIndexes: ["lang", "n"], lagMs: 20 });
      return over(fake, new VectorizeVectorStore({ index: fake, visibilityLagMs: 20 }));
    },
    settle: () => new Promise((r) => setTimeout(r, 21)),
    capabilities,
    reopen,
  },
});

conformance(h, {
  name: "VectorizeVectorStore over a fake Vectorize with 60 ms lag, settled() as the suite's settle",
  vectorStore: {
    create: () => {
      const fake = new FakeVectorize({ dimensions: 16, metadataIndexes: ["lang", "n"], lagMs: 60 });
      return over(
        fake,
        new VectorizeVectorStore({ index: fake, visibilityLagMs: 60, settlePollMs: 5 }),
      );
    },
    settle: (store) => (store as VectorizeVectorStore).settled(),
    capabilities,
    reopen,
  },
});

function vec(seed: number, d = 16): Float32Array {
  return Float32Array.from({ length: d }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
}

describe("VectorizeVectorStore - Vectorize's limits and shapes", () => {
  const setup = (options: { lagMs?: number; now?: () => number; random?: () => number } = {}) => {
    const index = new FakeVectorize({ dimensions: 16, metadataIndexes: ["lang"], ...options });
    const store = new VectorizeVectorStore({ index, visibilityLagMs: options.lagMs ?? 0 });
    const calls = (method: string) =>
      index.calls.filter((c) => c.method === method).map((c) => c.size);
    return { index, store, calls };
  };

  it("upsert and delete go in batches of at most 1,000", async () => {
    const { store, calls } = setup();
    const ids = Array.from({ length: 2500 }, (_, i) => `r${i}`);
    await store.upsert(ids.map((id, i) => ({ id, vector: vec(i) })));
    expect(calls("upsert")).toEqual([1000, 1000, 500]);
    expect(await store.count()).toBe(2500);
    await store.delete(ids);
    expect(calls("deleteByIds")).toEqual([1000, 1000, 500]);
    expect(await store.count()).toBe(0);
  });

  it("ids over 64 bytes are stored hashed and come back as the caller's ids", async () => {
    const { index, store } = setup();
    const long = `docs/${"ünïcødé/".repeat(12)}guide.md#3`; // > 64 bytes in UTF-8
    const hashy = "#looks-like-a-hash"; // a caller's id with the hash prefix is hashed too
    await store.upsert([
      { id: long, vector: vec(1), metadata: { lang: "en" } },
      { id: hashy, vector: vec(2) },
      { id: "short", vector: vec(3) },
    ]);
    const stored = await index.getByIds(["short"]);
    expect(stored.map((v) => v.id)).toEqual(["short"]);
    const hits = await store.query(vec(1), { k: 3 });
    expect(hits.map((x) => x.id)).toEqual([long, ...hits.slice(1).map((x) => x.id)]);
    expect(hits.map((x) => x.id).sort()).toEqual([hashy, long, "short"].sort());
    const filtered = await store.query(vec(1), { k: 3, filter: { lang: "en" } });
    expect(filtered.map((x) => x.id)).toEqual([long]);
    const [raw] = (await index.query(vec(1), { topK: 1, returnMetadata: "all" })).matches;
    expect(new TextEncoder().encode(raw?.id).byteLength).toBeLessThanOrEqual(
      VECTORIZE_LIMITS.idBytes,
    );
    expect(raw?.metadata?.[ORIGINAL_ID_FIELD]).toBe(long);
    await store.delete([long, hashy]);
    expect((await store.query(vec(1), { k: 3 })).map((x) => x.id)).toEqual(["short"]);
  });

  it("topK: k up to 100 asks for ids and scores only; more is a ValidationError before any call", async () => {
    const { store, calls } = setup();
    await store.upsert(Array.from({ length: 150 }, (_, i) => ({ id: `r${i}`, vector: vec(i) })));
    expect(await store.query(vec(5), { k: 100 })).toHaveLength(100);
    await expectRejects(h, store.query(vec(5), { k: 101 }), ValidationError, "at most 100");
    expect(await store.query(vec(5), { k: 0 })).toEqual([]);
    expect(calls("query")).toEqual([100]);
  });

  it("bad metadata or filters are ValidationErrors, and nothing is written", async () => {
    const { store, calls } = setup();
    const big = { text: "x".repeat(VECTORIZE_LIMITS.metadataBytes) };
    await expectRejects(
      h,
      store.upsert([
        { id: "ok", vector: vec(1) },
        { id: "big", vector: vec(2), metadata: big },
      ]),
      ValidationError,
      "'big'",
    );
    await expectRejects(
      h,
      store.upsert([{ id: "n", vector: vec(1), metadata: { lang: null } }]),
      ValidationError,
      "null",
    );
    await expectRejects(
      h,
      store.upsert([{ id: "r", vector: vec(1), metadata: { [ORIGINAL_ID_FIELD]: "x" } }]),
      ValidationError,
      "reserved",
    );
    await expectRejects(h, store.upsert([{ id: "", vector: vec(1) }]), ValidationError);
    await expectRejects(
      h,
      store.upsert([{ id: "nan", vector: new Float32Array(16).fill(Number.NaN) }]),
      ValidationError,
    );
    expect(calls("upsert")).toEqual([]);
    await expectRejects(
      h,
      store.query(vec(1), { k: 1, filter: { lang: { $in: ["en", null] } } }),
      ValidationError,
      "null",
    );
    await expectRejects(
      h,
      store.query(vec(1), { k: 1, filter: { "a.b": 1 } }),
      ValidationError,
      "a.b",
    );
    // A string index keeps 64 bytes: a longer value would match every value sharing its prefix.
    const long = `docs/${"x".repeat(60)}/a.md`;
    await expectRejects(
      h,
      store.query(vec(1), { k: 1, filter: { lang: long } }),
      ValidationError,
      "64 bytes",
    );
    const wide = { lang: { $in: Array.from({ length: 300 }, (_, i) => `language-${i}`) } };
    await expectRejects(h, store.query(vec(1), { k: 1, filter: wide }), ValidationError, "2048");
    expect(calls("query")).toEqual([]);
  });

  it("a failing binding surfaces as an AdapterError naming vectorize, with the cause", async () => {
    const index = new FakeVectorize({ dimensions: 16 });
    const store = new VectorizeVectorStore({ index, dimensions: 8, visibilityLagMs: 0 });
    const error = (await expectRejects(
      h,
      store.upsert([{ id: "a", vector: vec(1, 8) }]),
      AdapterError,
      "vectorize: upsert",
    )) as AdapterError;
    expect(error.adapter).toBe("vectorize");
    expect((error.cause as Error).message).toContain("dimensions");
  });

  it("eventual consistency: a write shows only after the lag, and the store declares it", async () => {
    const clock = fakeClock();
    // random() ≈ 1: every mutation takes the whole declared lag.
    const { store } = setup({ lagMs: 1000, now: clock.now, random: () => 0.9999 });
    expect(store.capabilities.visibilityLagMs).toBe(1000);
    await store.upsert([{ id: "a", vector: vec(1) }]);
    clock.advance(999);
    expect(await store.query(vec(1), { k: 1 })).toEqual([]);
    expect(await store.count()).toBe(0);
    clock.advance(1);
    expect((await store.query(vec(1), { k: 1 })).map((x) => x.id)).toEqual(["a"]);
    await store.delete(["a"]);
    await store.upsert([{ id: "b", vector: vec(2) }]);
    clock.advance(1000);
    expect((await store.query(vec(1), { k: 5 })).map((x) => x.id)).toEqual(["b"]);
    expect(await store.count()).toBe(1);
  });

  it("settled() waits for the store's last mutation to be processed, not the whole declared lag", async () => {
    // The fake applies each mutation 200 ms after it; the store declares 5 s.
    const index = new FakeVectorize({ dimensions: 16, lagMs: 200, random: () => 0.9999 });
    const store = new VectorizeVectorStore({ index, visibilityLagMs: 5000, settlePollMs: 5 });
    await store.upsert([{ id: "a", vector: vec(1) }]);
    expect(await store.query(vec(1), { k: 1 })).toEqual([]);
    const started = Date.now();
    await store.settled();
    // Not a benchmark: it returns on describe()'s processedUpToMutation, 25 times before the bound.
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await store.query(vec(1), { k: 1 })).map((x) => x.id)).toEqual(["a"]);
    await store.delete(["a"]);
    await store.settled();
    expect(await store.count()).toBe(0);
  });

  it("settled() over a V1 binding (no mutation ids) waits out the declared lag", async () => {
    const fake = new FakeVectorize({ dimensions: 16, lagMs: 100, random: () => 0.9999 });
    const v1 = {
      describe: () => fake.describe(),
      query: fake.query.bind(fake),
      getByIds: fake.getByIds.bind(fake),
      upsert: async (v: Parameters<FakeVectorize["upsert"]>[0]) => {
        await fake.upsert(v);
        return { ids: v.map((x) => x.id), count: v.length }; // V1's answer
      },
      deleteByIds: async (ids: string[]) => {
        await fake.deleteByIds(ids);
        return { ids, count: ids.length };
      },
    };
    const store = new VectorizeVectorStore({ index: v1, visibilityLagMs: 100 });
    await store.upsert([{ id: "a", vector: vec(1) }]);
    await store.settled();
    expect((await store.query(vec(1), { k: 1 })).map((x) => x.id)).toEqual(["a"]);
  });

  it("the fake holds Vectorize's limits, so the cases above would catch an adapter breaking them", async () => {
    const index = new FakeVectorize({ dimensions: 16, metadataIndexes: ["lang"] });
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}`, values: vec(i) }));
    await expect(index.upsert(many)).rejects.toThrow("1000");
    await expect(index.upsert([{ id: "x".repeat(65), values: vec(1) }])).rejects.toThrow(
      "64 bytes",
    );
    await expect(
      index.upsert([{ id: "m", values: vec(1), metadata: { t: "x".repeat(10_241) } }]),
    ).rejects.toThrow("10KiB");
    await expect(index.query(vec(1), { topK: 101 })).rejects.toThrow("topK");
    await expect(index.query(vec(1), { topK: 21, returnMetadata: "all" })).rejects.toThrow("topK");
    await expect(index.query(vec(1), { topK: 21, returnValues: true })).rejects.toThrow("topK");
    expect((await index.query(vec(1), { topK: 100, returnMetadata: "indexed" })).matches).toEqual(
      [],
    );
    await expect(index.query(vec(1), { filter: { lang: { $regex: "e" } } })).rejects.toThrow(
      "unsupported",
    );
    await expect(index.getByIds(Array.from({ length: 21 }, (_, i) => `r${i}`))).rejects.toThrow(
      "20",
    );
    await expect(index.deleteByIds(many.map((v) => v.id))).rejects.toThrow("1000");
    // Strings are filtered on their first 64 bytes: two long values sharing them both match.
    const prefix = "p".repeat(64);
    await index.upsert([
      { id: "a", values: vec(1), metadata: { lang: `${prefix}-a` } },
      { id: "b", values: vec(2), metadata: { lang: `${prefix}-b` } },
    ]);
    const hits = await index.query(vec(1), { topK: 5, filter: { lang: `${prefix}-a` } });
    expect(hits.matches.map((m) => m.id).sort()).toEqual(["a", "b"]);
  });
});
