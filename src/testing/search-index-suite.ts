/**
 * The `SearchIndex` conformance suite: the built-in `BlobSearchIndex` runs it (in memory and over
 * the blob stores that exist); engine-backed indexes are meant to. Chunks and vectors are handed in directly, so
 * the suite tests the index, not the chunker.
 * @module
 */
import { ClosedError, StaleIndexError, ValidationError } from "../core/errors.ts";
import type {
  IndexChunk,
  IndexScope,
  SearchIndex,
  SearchIndexCapabilities,
} from "../core/knowledge/index/types.ts";
import { expectRejects, type FakeClock, itUnless, type TestHarness } from "./harness.ts";
import { chunk, vectorFor } from "./search-index-helpers.ts";
import { type StageOne, searchIndexPersistCases } from "./search-index-persist-cases.ts";
import { searchIndexRevisionCases } from "./search-index-revision-cases.ts";
import { searchIndexSweepCases } from "./search-index-sweep-cases.ts";

/** Options of {@link searchIndexSuite}. */
export interface SearchIndexSuiteOptions {
  name: string;
  /**
   * A fresh, empty index; give it `now` as its clock where it has one (`sweep.age` moves it to
   * age what a dead commit left).
   */
  create(context: SearchIndexContext): Promise<SearchIndex> | SearchIndex;
  /**
   * A second index over the same storage, as another process would open it (indexes whose
   * capabilities say `persistent`). Without it the persistence cases are skipped.
   */
  reopen?(index: SearchIndex): Promise<SearchIndex> | SearchIndex;
  destroy?(index: SearchIndex): Promise<void>;
  /**
   * What the index can do, as its capabilities say (default: everything, except `persistent`
   * and `revisions`, which an index declares).
   */
  capabilities?: Partial<SearchIndexCapabilities>;
  /**
   * Leaves in the index's storage what a commit whose process died before it landed leaves (for
   * `BlobSearchIndex`: `abandonBlobCommit`, a segment no head lists), for `sweep.age` on an index
   * with `sweep`; skipped without it.
   */
  abandonCommit?(index: SearchIndex, scope: IndexScope): Promise<void>;
  /**
   * Why two instances must not commit to one scope at once (e.g. its blob store cannot
   * compare-and-set: the index over it takes one writer); `persistent.concurrent-commits` is
   * skipped with it.
   */
  oneWriter?: string;
}

/** What the suite gives `create`. */
export interface SearchIndexContext {
  /** The index's clock, in ms since the epoch (the real time, until a case moves it). */
  now: () => number;
}

/** Runs the `SearchIndex` conformance suite. */
export function searchIndexSuite(h: TestHarness, options: SearchIndexSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  const caps: SearchIndexCapabilities = {
    lexical: true,
    vector: true,
    filters: ["eq", "in"],
    persistent: false,
    revisions: false,
    ...options.capabilities,
  };
  const itVector = itUnless(h, !caps.vector && "the index does not search vectors");
  const itIn = itUnless(h, !caps.filters.includes("in") && "the index has no $in filters");

  describe(`SearchIndex conformance: ${options.name}`, () => {
    let index: SearchIndex;
    const opened: SearchIndex[] = [];
    const scope: IndexScope = { domainId: "support", generation: "g1" };
    const other: IndexScope = { domainId: "sales", generation: "g1" };

    // The index's clock: the real time, moved on by the cases that age what an index keeps, or
    // stopped (`frozen`) by those that check what an index does within one instant.
    let ahead = 0;
    let frozen: number | undefined;
    const clock: FakeClock = {
      now: () => frozen ?? Date.now() + ahead,
      advance: (ms) => {
        ahead += ms;
      },
    };
    beforeEach(async () => {
      ahead = 0;
      frozen = undefined;
      index = await options.create({ now: clock.now });
      await index.initialize();
    });
    afterEach(async () => {
      for (const o of opened.splice(0)) await o.close();
      if (options.destroy) await options.destroy(index);
      else {
        for (const s of await index.scopes()) await index.remove(s);
        await index.close();
      }
    });

    /** Commits files `{ path: [texts] }` to a scope, with vectors when the index takes them. */
    const put = async (
      target: IndexScope,
      files: Record<string, string[]>,
      metadata: Record<string, IndexChunk["metadata"]> = {},
    ): Promise<void> => {
      const stage = await index.stage(target, { embedding: caps.vector ? "test" : null });
      for (const [path, texts] of Object.entries(files)) {
        const chunks = texts.map((t, i) => chunk(target, path, i, t, metadata[path]));
        const vectors = caps.vector ? texts.map((_, i) => vectorFor(path.length + i)) : null;
        await stage.put(
          path,
          { checksum: `sum-${texts.join("|")}`, fingerprint: "f1" },
          chunks,
          vectors,
        );
      }
      await stage.commit();
    };
    /** Stages one file of one chunk (with a vector when the index takes them). */
    const stageOne: StageOne = (stage, target, path, checksum, text, seed) =>
      stage.put(
        path,
        { checksum, fingerprint: "f1" },
        [chunk(target, path, 0, text)],
        caps.vector ? [vectorFor(seed)] : null,
      );
    /** Three files in three languages (`lang` in their metadata). */
    const putKoalas = (): Promise<void> =>
      put(
        scope,
        {
          "en.md": ["Koalas sleep a lot."],
          "de.md": ["Koalas schlafen viel."],
          "fr.md": ["Koalas dorment."],
        },
        { "en.md": { lang: "en" }, "de.md": { lang: "de" }, "fr.md": { lang: "fr" } },
      );
    const sources = async (target: IndexScope = scope): Promise<string[]> =>
      [...(await index.sources(target)).keys()].sort();
    const search = async (text: string, extra: Record<string, unknown> = {}): Promise<string[]> =>
      (await index.query([scope], { text, k: 10, ...extra })).map((hit) => hit.chunk.text);

    it("capabilities - the index declares what the suite was told", () => {
      expect({
        ...index.capabilities,
        filters: [...index.capabilities.filters].sort(),
        revisions: index.capabilities.revisions ?? false,
      }).toEqual({
        ...caps,
        filters: [...caps.filters].sort(),
      });
    });

    it("empty - nothing committed: no sources, not existing, no hits", async () => {
      expect(await index.exists(scope)).toBe(false);
      expect(await sources()).toEqual([]);
      expect(await index.query([scope], { text: "anything", k: 5 })).toEqual([]);
      expect(await index.scopes()).toEqual([]);
    });

    it("commit - sources, chunk fields and existence after one commit", async () => {
      await put(scope, {
        "faq.md": ["Reset your password in settings.", "Contact the help desk."],
      });
      expect(await index.exists(scope)).toBe(true);
      const indexed = await index.sources(scope);
      expect(indexed.get("faq.md")).toEqual({
        checksum: "sum-Reset your password in settings.|Contact the help desk.",
        fingerprint: "f1",
        chunks: 2,
      });
      const [hit] = await index.query([scope], { text: "password reset", k: 1 });
      expect(hit?.chunk).toEqual(chunk(scope, "faq.md", 0, "Reset your password in settings."));
      expect(hit?.scope).toEqual(scope);
      expect(hit?.similarity).toBe(1);
      expect(await index.scopes()).toEqual([scope]);
    });

    it("commit.empty - an empty commit exists (an empty knowledge base is indexed)", async () => {
      const stage = await index.stage(scope);
      await stage.commit();
      expect(await index.exists(scope)).toBe(true);
      expect(await sources()).toEqual([]);
    });

    it("stage.invisible - nothing staged is seen before commit; abort leaves the old state", async () => {
      await put(scope, { "a.md": ["Aardvarks dig at night."] });
      const stage = await index.stage(scope);
      await stageOne(stage, scope, "a.md", "new", "Armadillos roll into balls.", 1);
      await stageOne(stage, scope, "b.md", "b", "Bison roam the plains.", 2);
      stage.remove("a.md");
      expect(await search("aardvarks armadillos bison")).toEqual(["Aardvarks dig at night."]);
      expect(await sources()).toEqual(["a.md"]);
      await stage.abort();
      expect(await search("aardvarks armadillos bison")).toEqual(["Aardvarks dig at night."]);
      await expectRejects(h, stage.commit(), ClosedError);
    });

    it("commit.atomic - a commit replaces and removes files at once", async () => {
      await put(scope, {
        "a.md": ["Ocelots old."],
        "b.md": ["Otters old."],
        "c.md": ["Owls old."],
      });
      const stage = await index.stage(scope);
      await stageOne(stage, scope, "a.md", "a2", "Ocelots new.", 3);
      stage.remove("c.md");
      const { version, ...stats } = await stage.commit();
      expect(stats).toEqual({ chunksAdded: 1, chunksRemoved: 2, filesRemoved: 1 });
      expect(typeof version).toBe("string");
      expect((await search("ocelots otters owls new old")).sort()).toEqual([
        "Ocelots new.",
        "Otters old.",
      ]);
      expect(await sources()).toEqual(["a.md", "b.md"]);
    });

    it("commit.concurrent - two stages of one scope both land", async () => {
      await put(scope, { "base.md": ["Beginnings."] });
      const one = await index.stage(scope);
      const two = await index.stage(scope);
      await stageOne(one, scope, "one.md", "1", "Unicorns exist.", 4);
      await stageOne(two, scope, "two.md", "2", "Dragons exist.", 5);
      await Promise.all([one.commit(), two.commit()]);
      expect(await sources()).toEqual(["base.md", "one.md", "two.md"]);
      expect((await search("exist")).sort()).toEqual(["Dragons exist.", "Unicorns exist."]);
    });

    it("stage.version - a commit makes its commitId the scope's version; a stage tells the version and files it began from", async () => {
      const empty = await index.stage(scope);
      expect([empty.version, [...empty.indexed.keys()]]).toEqual(["", []]);
      await empty.abort();
      const first = await index.stage(scope, { commitId: "commit-1" });
      await stageOne(first, scope, "a.md", "a1", "Alpacas graze.", 1);
      expect((await first.commit()).version).toBe("commit-1");
      const next = await index.stage(scope);
      expect([next.version, [...next.indexed.keys()], next.indexed.get("a.md")?.checksum]).toEqual([
        "commit-1",
        ["a.md"],
        "a1",
      ]);
      await stageOne(next, scope, "b.md", "b1", "Bongos drum.", 2);
      const { version } = await next.commit();
      expect([typeof version, version === "commit-1"]).toEqual(["string", false]);
      const last = await index.stage(scope);
      expect([last.version, [...last.indexed.keys()].sort()]).toEqual([version, ["a.md", "b.md"]]);
      await last.abort();
      await expectRejects(h, index.stage(scope, { commitId: "" }), ValidationError, "commitId");
    });

    it("stage.exclusive - a commit over a version that moved meanwhile is refused with StaleIndexError and commits nothing; planned again, it lands", async () => {
      await put(scope, { "base.md": ["Beginnings."] });
      const late = await index.stage(scope, { exclusive: true });
      await stageOne(late, scope, "base.md", "stale", "Stale words.", 4);
      const first = await index.stage(scope, { exclusive: true });
      await stageOne(first, scope, "one.md", "1", "Unicorns exist.", 5);
      const landed = await first.commit();
      await expectRejects(h, late.commit(), StaleIndexError, "moved on");
      expect(await sources()).toEqual(["base.md", "one.md"]);
      expect((await search("stale words beginnings unicorns")).sort()).toEqual([
        "Beginnings.",
        "Unicorns exist.",
      ]);
      const again = await index.stage(scope, { exclusive: true });
      expect(again.version).toBe(landed.version);
      await stageOne(again, scope, "base.md", "stale", "Stale words.", 4);
      await again.commit();
      expect((await search("stale words beginnings unicorns")).sort()).toEqual([
        "Stale words.",
        "Unicorns exist.",
      ]);
    });

    it("scopes - each scope stands alone; remove drops one", async () => {
      await put(scope, { "x.md": ["Pelicans in support."] });
      await put(other, { "y.md": ["Pelicans in sales."] });
      const older = { domainId: "support", generation: "g0" };
      await put(older, { "z.md": ["Pelicans of a deleted knowledge base."] });
      expect(await search("pelicans")).toEqual(["Pelicans in support."]);
      const both = await index.query([scope, other], { text: "pelicans", k: 10 });
      expect(both.map((hit) => hit.scope.domainId).sort()).toEqual(["sales", "support"]);
      expect(await index.remove(older)).toBe(true);
      expect(await index.remove(older)).toBe(false);
      expect(await index.exists(older)).toBe(false);
      expect(await index.query([older], { text: "pelicans", k: 5 })).toEqual([]);
      const kept = (await index.scopes()).map((s) => `${s.domainId}/${s.generation}`).sort();
      expect(kept).toEqual(["sales/g1", "support/g1"]);
    });

    it("query.k - at most k hits, best first; bad k refused", async () => {
      await put(scope, {
        "p.md": ["Penguins penguins penguins swim.", "One penguin walks.", "Penguins and seals."],
      });
      const hits = await index.query([scope], { text: "penguins swim", k: 2 });
      expect(hits).toHaveLength(2);
      expect(hits[0]?.chunk.text).toBe("Penguins penguins penguins swim.");
      expect((hits[0]?.similarity ?? 0) >= (hits[1]?.similarity ?? 0)).toBe(true);
      for (const k of [0, 1001, 1.5])
        await expectRejects(h, index.query([scope], { text: "x", k }), ValidationError);
    });

    it("query.filter - equality on file metadata and chunk fields", async () => {
      await putKoalas();
      expect(await search("koalas", { filter: { lang: "de" } })).toEqual(["Koalas schlafen viel."]);
      expect(await search("koalas", { filter: { source_path: "en.md" } })).toEqual([
        "Koalas sleep a lot.",
      ]);
      expect(await search("koalas", { filter: { lang: { $eq: "fr" } } })).toEqual([
        "Koalas dorment.",
      ]);
      expect(await search("koalas", { filter: { missing: "x" } })).toEqual([]);
      await expectRejects(
        h,
        index.query([scope], { text: "koalas", k: 5, filter: { lang: { $gt: 1 } } as never }),
        ValidationError,
      );
    });

    it('query.filter-typed - values compare type for type: true is not 1, "1" is not 1, false is not 0', async () => {
      await put(
        scope,
        {
          "t.md": ["Otters float."],
          "o.md": ["Otters dive."],
          "s.md": ["Otters eat."],
          "f.md": ["Otters nap."],
        },
        {
          "t.md": { flag: true, n: 1 },
          "o.md": { flag: 1, n: "1" },
          "s.md": { flag: "true" },
          "f.md": { flag: false },
        },
      );
      // Each value against each other type of the same field: a store that compares what
      // its engine makes of a JSON value (SQLite: true as 1, false as 0) matches too many.
      const by = async (flag: unknown) => search("otters", { filter: { flag } });
      expect(await by(true)).toEqual(["Otters float."]);
      expect(await by(1)).toEqual(["Otters dive."]);
      expect(await by("true")).toEqual(["Otters eat."]);
      expect(await by(false)).toEqual(["Otters nap."]);
      expect(await by(0)).toEqual([]);
      expect(await by({ $in: [1, "x"] })).toEqual(["Otters dive."]);
      expect(await search("otters", { filter: { n: "1" } })).toEqual(["Otters dive."]);
      expect(await search("otters", { filter: { n: 1 } })).toEqual(["Otters float."]);
    });

    itIn("query.filter-in - $in on a field", async () => {
      await putKoalas();
      expect((await search("koalas", { filter: { lang: { $in: ["en", "fr"] } } })).sort()).toEqual([
        "Koalas dorment.",
        "Koalas sleep a lot.",
      ]);
    });

    it("query.per-source - one hit per file", async () => {
      await put(scope, {
        "a.md": ["Lions roar.", "Lions hunt.", "Lions rest."],
        "b.md": ["Lions of the plains."],
      });
      const hits = await index.query([scope], { text: "lions", k: 10, perSource: true });
      expect(hits.map((hit) => hit.chunk.source).sort()).toEqual(["a.md", "b.md"]);
    });

    itVector(
      "query.vector - the vector side finds the exact vector; hybrid carries both scores",
      async () => {
        await put(scope, { "v.md": ["Alpha words.", "Beta words.", "Gamma words."] });
        // "v.md" has length 4: its chunks' vectors are vectorFor(4), vectorFor(5), vectorFor(6).
        const [byVector] = await index.query([scope], {
          vector: vectorFor(5),
          embedding: "test",
          k: 1,
        });
        expect(byVector?.chunk.text).toBe("Beta words.");
        expect(byVector?.scores.vector).toBeGreaterThan(0.999);
        const [hybrid] = await index.query([scope], {
          text: "gamma",
          vector: vectorFor(6),
          embedding: "test",
          k: 1,
        });
        expect(hybrid?.chunk.text).toBe("Gamma words.");
        expect([hybrid?.scores.lexical !== null, hybrid?.scores.vector !== null]).toEqual([
          true,
          true,
        ]);
        // Vectors of another provider are not compared with these.
        const foreign = await index.query([scope], {
          vector: vectorFor(5),
          embedding: "another",
          k: 3,
        });
        expect(foreign).toEqual([]);
      },
    );

    searchIndexPersistCases(h, {
      index: () => index,
      opened,
      scope,
      put,
      stageOne,
      search,
      reopen: options.reopen,
      persistent: caps.persistent,
      oneWriter: options.oneWriter,
      freeze: () => {
        frozen = clock.now();
      },
    });
    searchIndexRevisionCases(h, {
      index: () => index,
      opened,
      scope,
      other,
      stageOne,
      vectorFor,
      reopen: options.reopen,
      revisions: caps.revisions === true,
      persistent: caps.persistent,
      vector: caps.vector,
    });

    const reopen = options.reopen;
    searchIndexSweepCases(h, {
      index: () => index,
      clock,
      scope,
      put,
      search,
      reopen: reopen
        ? async (of) => {
            const again = await reopen(of);
            opened.push(again);
            await again.initialize();
            return again;
          }
        : undefined,
      abandonCommit: options.abandonCommit,
    });
  });
}
