/**
 * The `VectorStore` conformance suite: memory, Vectorize and other vector engines run it.
 * Each case runs between `initialize()` and `close()`. On an eventually consistent store
 * (`capabilities.visibilityLagMs` > 0) each read that checks a write first waits: the `settle`
 * option, else the store's `settled()`, else the declared lag. Cases that need a capability
 * (`maxK`, `persistent`, filter operators) are skipped, with the reason, when it is missing.
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type { VectorStore, VectorStoreCapabilities } from "../core/knowledge/index/vector-store.ts";
import { cosine, expectRejects, itUnless, type TestHarness } from "./harness.ts";

/** Options of {@link vectorStoreSuite}. */
export interface VectorStoreSuiteOptions {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<VectorStore> | VectorStore;
  destroy?(store: VectorStore): Promise<void>;
  /**
   * What the store declares (default: `eq` and `in` filters, no `maxK`, not persistent); the
   * suite checks the store says the same, and gates cases on it.
   */
  capabilities?: Partial<VectorStoreCapabilities>;
  /**
   * Waits until the store's completed writes show in `query` and `count` (a fake clock moved on,
   * or a store's own wait). Default: the store's `settled()`, else sleep `visibilityLagMs` + 1 ms.
   */
  settle?(store: VectorStore): Promise<void> | void;
  /**
   * A new store over the same backing as `store` (a persistent store's reopen, as another
   * process would); the `persistent` case needs it.
   */
  reopen?(store: VectorStore): Promise<VectorStore> | VectorStore;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A pseudo-random vector from a seed (the same seed gives the same vector). */
function vector(seed: number, dims = 16): Float32Array {
  const v = new Float32Array(dims);
  let x = seed * 9301 + 49297;
  for (let i = 0; i < dims; i++) {
    x = (x * 9301 + 49297) % 233280;
    v[i] = x / 233280 - 0.5;
  }
  return v;
}

/** Runs the `VectorStore` conformance suite. */
export function vectorStoreSuite(h: TestHarness, options: VectorStoreSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  const caps: VectorStoreCapabilities = {
    filters: ["eq", "in"],
    persistent: false,
    ...options.capabilities,
  };
  const itEq = itUnless(h, !caps.filters.includes("eq") && "the store has no equality filters");
  const itIn = itUnless(h, !caps.filters.includes("in") && "the store has no $in filters");
  const maxK = caps.maxK;
  const itMaxK = itUnless(h, maxK === undefined && "the store declares no maxK");
  const itNoMaxK = itUnless(h, maxK !== undefined && `the store caps k at ${maxK}`);
  const itPersistent = itUnless(
    h,
    (!caps.persistent && "the store is not persistent") ||
      (!options.reopen && "the suite was given no reopen"),
  );

  describe(`VectorStore conformance: ${options.name}`, () => {
    let store: VectorStore;
    // Writes a lagging store may not show yet are waited out before the reads that check them.
    const settleOn = async (s: VectorStore): Promise<void> => {
      if (options.settle) return void (await options.settle(s));
      if (s.settled) return s.settled();
      const lag = s.capabilities.visibilityLagMs ?? 0;
      if (lag > 0) await sleep(lag + 1);
    };
    const settle = (): Promise<void> => settleOn(store);
    beforeEach(async () => {
      store = await options.create();
      await store.initialize();
    });
    afterEach(async () => {
      await store.close();
      if (options.destroy) await options.destroy(store);
    });

    it("capabilities - the store declares what the suite was told", () => {
      expect([...store.capabilities.filters].sort()).toEqual([...caps.filters].sort());
      const lag = store.capabilities.visibilityLagMs ?? 0;
      expect(Number.isFinite(lag) && lag >= 0).toBe(true);
      expect(store.capabilities.maxK).toBe(caps.maxK);
      expect(store.capabilities.persistent).toBe(caps.persistent);
    });

    it("lifecycle - initialize and close may be called again; the store works in between", async () => {
      await store.initialize();
      await store.upsert([{ id: "a", vector: vector(1) }]);
      await settle();
      expect((await store.query(vector(1), { k: 1 })).map((x) => x.id)).toEqual(["a"]);
      await store.close();
      await store.close();
      await store.initialize(); // afterEach closes it once more
    });

    it("empty - a query of an empty store finds nothing; count 0", async () => {
      expect(await store.query(vector(1), { k: 5 })).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it("query - the k most similar by cosine, best first", async () => {
      const records = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, vector: vector(i) }));
      await store.upsert(records);
      await settle();
      expect(await store.count()).toBe(200);
      expect(store.dimensions).toBe(16);
      const q = vector(7);
      const expected = records
        .map((r) => ({ id: r.id, score: cosine(q, r.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const hits = await store.query(q, { k: 10 });
      expect(hits.map((x) => x.id)).toEqual(expected.map((x) => x.id));
      expect(hits[0]?.id).toBe("r7");
      expect(Math.abs((hits[0]?.score as number) - 1)).toBeLessThan(1e-5);
      for (const [i, hit] of hits.entries())
        expect(Math.abs(hit.score - (expected[i]?.score as number))).toBeLessThan(1e-4);
    });

    it("upsert.replaces - the same id again replaces its vector", async () => {
      await store.upsert([
        { id: "a", vector: vector(1) },
        { id: "b", vector: vector(2) },
      ]);
      await store.upsert([{ id: "a", vector: vector(2) }]);
      await settle();
      expect(await store.count()).toBe(2);
      const hits = await store.query(vector(2), { k: 2 });
      expect(hits.map((x) => Math.round(x.score * 1e4))).toEqual([1e4, 1e4]);
    });

    it("delete - deleted ids are gone; missing ids are ignored", async () => {
      await store.upsert([1, 2, 3].map((i) => ({ id: `d${i}`, vector: vector(i) })));
      await store.delete(["d2", "missing"]);
      await settle();
      expect(await store.count()).toBe(2);
      expect((await store.query(vector(2), { k: 5 })).map((x) => x.id).sort()).toEqual([
        "d1",
        "d3",
      ]);
    });

    it("dimensions - a vector of another length is refused, nothing written", async () => {
      await store.upsert([{ id: "a", vector: vector(1, 16) }]);
      await expectRejects(
        h,
        store.upsert([{ id: "b", vector: vector(2, 8) }]),
        ValidationError,
        "dimensions",
      );
      await expectRejects(h, store.query(vector(2, 8), { k: 1 }), ValidationError, "dimensions");
      await settle();
      expect(await store.count()).toBe(1);
    });

    itMaxK("query.max-k - k up to maxK is answered; a larger k is a ValidationError", async () => {
      const k = maxK as number;
      await store.upsert(
        Array.from({ length: k + 5 }, (_, i) => ({ id: `m${i}`, vector: vector(i) })),
      );
      await settle();
      expect(await store.query(vector(3), { k })).toHaveLength(k);
      await expectRejects(h, store.query(vector(3), { k: k + 1 }), ValidationError, `${k + 1}`);
    });

    itNoMaxK("query.k-unbounded - a k above the record count answers every record", async () => {
      await store.upsert(
        Array.from({ length: 30 }, (_, i) => ({ id: `u${i}`, vector: vector(i) })),
      );
      await settle();
      expect(await store.query(vector(3), { k: 1000 })).toHaveLength(30);
    });

    itPersistent(
      "persistent - a store reopened over the same backing finds what was written",
      async () => {
        await store.upsert([1, 2, 3].map((i) => ({ id: `p${i}`, vector: vector(i) })));
        await store.delete(["p2"]);
        await settle();
        const again = await (options.reopen as NonNullable<typeof options.reopen>)(store);
        await again.initialize();
        try {
          await settleOn(again);
          expect((await again.query(vector(1), { k: 5 })).map((x) => x.id).sort()).toEqual([
            "p1",
            "p3",
          ]);
          expect(again.dimensions).toBe(16);
        } finally {
          await again.close();
        }
      },
    );

    itEq("filter.eq - equality on metadata; records without the field do not match", async () => {
      await store.upsert([
        { id: "en", vector: vector(1), metadata: { lang: "en", n: 1 } },
        { id: "de", vector: vector(2), metadata: { lang: "de", n: 2 } },
        { id: "none", vector: vector(3) },
      ]);
      await settle();
      expect(
        (await store.query(vector(1), { k: 5, filter: { lang: "de" } })).map((x) => x.id),
      ).toEqual(["de"]);
      expect(
        (await store.query(vector(1), { k: 5, filter: { n: { $eq: 1 } } })).map((x) => x.id),
      ).toEqual(["en"]);
      await expectRejects(
        h,
        store.query(vector(1), { k: 5, filter: { n: { $gt: 1 } } as never }),
        ValidationError,
      );
    });

    itIn("filter.in - one of several values", async () => {
      await store.upsert(
        ["en", "de", "fr"].map((lang, i) => ({ id: lang, vector: vector(i), metadata: { lang } })),
      );
      await settle();
      const hits = await store.query(vector(0), { k: 5, filter: { lang: { $in: ["en", "fr"] } } });
      expect(hits.map((x) => x.id).sort()).toEqual(["en", "fr"]);
    });
  });
}
