/**
 * The `SearchIndex` suite's cases for a persistent index, run with a second instance over the
 * same storage (`reopen`): the same answers, commits seen elsewhere (an exclusive commit made
 * stale by another instance's, or made while the clock stands still), commits of two instances
 * at once (also the first of a scope), a commit that only removes
 * files, a scope removed by an instance that never loaded it, and scopes whose ids start with
 * another's characters. Registered by `searchIndexSuite`.
 * @module
 */
import { StaleIndexError } from "../core/errors.ts";
import type { IndexScope, IndexStage, SearchIndex } from "../core/knowledge/index/types.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";

/** Stages one file of one chunk (with the vector of `seed` when the index takes vectors). */
export type StageOne = (
  stage: IndexStage,
  target: IndexScope,
  path: string,
  checksum: string,
  text: string,
  seed: number,
) => Promise<void>;

/** What the cases need from the suite that registers them. */
export interface SearchIndexPersistContext {
  index(): SearchIndex;
  /** Instances the cases open, closed after each case. */
  opened: SearchIndex[];
  scope: IndexScope;
  /** Commits files `{ path: [texts] }` to a scope. */
  put(target: IndexScope, files: Record<string, string[]>): Promise<void>;
  stageOne: StageOne;
  /** The texts of the hits in the suite's scope. */
  search(text: string): Promise<string[]>;
  reopen: ((index: SearchIndex) => Promise<SearchIndex> | SearchIndex) | undefined;
  persistent: boolean;
  /** Why two instances must not commit at once (the suite's `oneWriter`). */
  oneWriter: string | undefined;
  /** Stops the clock `index()` was created with (until the next case). */
  freeze(): void;
}

/**
 * Registers the persistence cases (inside the search-index suite's describe).
 * @example
 * searchIndexPersistCases(h, { index: () => index, opened, scope, put, stageOne, search, reopen, persistent: true });
 */
export function searchIndexPersistCases(h: TestHarness, ctx: SearchIndexPersistContext): void {
  const { expect } = h;
  const itPersistent = itUnless(
    h,
    !(ctx.persistent && ctx.reopen) && "the index is not persistent (or no reopen given)",
  );
  const reopen = async (index: SearchIndex): Promise<SearchIndex> => {
    const again = await (ctx.reopen as NonNullable<typeof ctx.reopen>)(index);
    ctx.opened.push(again);
    await again.initialize();
    return again;
  };
  const scope = ctx.scope;

  itPersistent(
    "stage.exclusive-two-places - a commit from another instance over the same storage makes an exclusive commit stale",
    async () => {
      const index = ctx.index();
      await ctx.put(scope, { "a.md": ["Early version."] });
      const second = await reopen(index);
      const mine = await index.stage(scope, { exclusive: true });
      await ctx.stageOne(mine, scope, "a.md", "mine", "Planned version.", 7);
      const theirs = await second.stage(scope, { exclusive: true });
      await ctx.stageOne(theirs, scope, "a.md", "theirs", "Newer version.", 8);
      await theirs.commit();
      await expectRejects(h, mine.commit(), StaleIndexError);
      expect(await ctx.search("version")).toEqual(["Newer version."]);
      expect((await index.sources(scope)).get("a.md")?.checksum).toBe("theirs");
    },
  );

  itPersistent("persistent - another instance over the same storage answers the same", async () => {
    await ctx.put(scope, {
      "faq.md": ["Reset your password in settings."],
      "plans.md": ["The free plan has one bot."],
    });
    const second = await reopen(ctx.index());
    expect(await second.exists(scope)).toBe(true);
    expect([...(await second.sources(scope)).keys()].sort()).toEqual(["faq.md", "plans.md"]);
    const q = { text: "password plan", k: 5 };
    expect(await second.query([scope], q)).toEqual(await ctx.index().query([scope], q));
  });

  itPersistent(
    "persistent.refresh - a commit elsewhere is seen before the next answer",
    async () => {
      await ctx.put(scope, { "a.md": ["Early version."] });
      const second = await reopen(ctx.index());
      expect(
        (await second.query([scope], { text: "version", k: 5 })).map((hit) => hit.chunk.text),
      ).toEqual(["Early version."]);
      const stage = await second.stage(scope);
      await ctx.stageOne(stage, scope, "a.md", "late", "Later version.", 9);
      await stage.commit();
      expect(await ctx.search("version")).toEqual(["Later version."]);
      expect(await second.remove(scope)).toBe(true);
      expect(await ctx.index().exists(scope)).toBe(false);
      expect(await ctx.search("version")).toEqual([]);
    },
  );

  itPersistent(
    "persistent.refresh-same-instant - with the clock stopped, a commit elsewhere is still seen before the next answer",
    async () => {
      ctx.freeze();
      const writer = await reopen(ctx.index());
      const commit = async (checksum: string, text: string, seed: number): Promise<void> => {
        const stage = await writer.stage(scope);
        await ctx.stageOne(stage, scope, "a.md", checksum, text, seed);
        await stage.commit();
      };
      await commit("first", "First version.", 1);
      expect(await ctx.search("version")).toEqual(["First version."]);
      await commit("second", "Second version.", 2);
      expect(await ctx.search("version")).toEqual(["Second version."]);
      expect((await ctx.index().sources(scope)).get("a.md")?.checksum).toBe("second");
    },
  );

  /**
   * Two instances over one store stage b.md and c.md at once and commit together; a third
   * instance then sees `files` (those before and both new ones) and their `texts`.
   */
  const commitAtOnce = async (
    index: SearchIndex,
    second: SearchIndex,
    files: string[],
    texts: string[],
  ): Promise<void> => {
    const mine = await index.stage(scope);
    await ctx.stageOne(mine, scope, "b.md", "b", "Beta words.", 3);
    const theirs = await second.stage(scope);
    await ctx.stageOne(theirs, scope, "c.md", "c", "Gamma words.", 4);
    await Promise.all([mine.commit(), theirs.commit()]);
    const third = await reopen(index);
    expect([...(await third.sources(scope)).keys()].sort()).toEqual(files);
    const hits = await third.query([scope], { text: "words", k: 10 });
    expect(hits.map((hit) => hit.chunk.text).sort()).toEqual(texts);
  };
  const itTwoWriters = itUnless(
    h,
    (!(ctx.persistent && ctx.reopen) && "the index is not persistent (or no reopen given)") ||
      ctx.oneWriter,
  );

  itTwoWriters(
    "persistent.concurrent-first-commits - two instances make the first commits of one scope at once; a third instance sees both",
    async () => {
      const index = ctx.index();
      const second = await reopen(index);
      await commitAtOnce(index, second, ["b.md", "c.md"], ["Beta words.", "Gamma words."]);
    },
  );

  itPersistent(
    "persistent.remove-only - a commit that only removes files holds after a reopen",
    async () => {
      await ctx.put(scope, {
        "keep.md": ["Kept words stay."],
        "drop.md": ["Dropped words go."],
        "also.md": ["Also dropped words."],
      });
      const stage = await ctx.index().stage(scope);
      stage.remove("drop.md");
      expect((await stage.commit()).filesRemoved).toBe(1);
      const second = await reopen(ctx.index());
      expect([...(await second.sources(scope)).keys()].sort()).toEqual(["also.md", "keep.md"]);
      const texts = async (of: SearchIndex): Promise<string[]> =>
        (await of.query([scope], { text: "words", k: 10 })).map((hit) => hit.chunk.text).sort();
      expect(await texts(second)).toEqual(["Also dropped words.", "Kept words stay."]);
      // Removing the rest leaves an empty, existing scope, in every instance.
      const last = await second.stage(scope);
      last.remove("also.md");
      last.remove("keep.md");
      await last.commit();
      const third = await reopen(ctx.index());
      for (const of of [ctx.index(), second, third]) {
        expect(await of.exists(scope)).toBe(true);
        expect([...(await of.sources(scope)).keys()]).toEqual([]);
        expect(await texts(of)).toEqual([]);
      }
    },
  );

  itTwoWriters(
    "persistent.concurrent-commits - two instances commit different files at once; a third instance sees both",
    async () => {
      const index = ctx.index();
      await ctx.put(scope, { "a.md": ["Alpha words."] });
      const second = await reopen(index);
      // Both hold the scope at the same version when they commit.
      for (const of of [index, second])
        expect([...(await of.sources(scope)).keys()]).toEqual(["a.md"]);
      await commitAtOnce(
        index,
        second,
        ["a.md", "b.md", "c.md"],
        ["Alpha words.", "Beta words.", "Gamma words."],
      );
    },
  );

  itPersistent(
    "persistent.remove-unloaded - remove() from an instance that never loaded the scope says it was there, and it is gone for a fresh instance",
    async () => {
      await ctx.put(scope, { "a.md": ["Alpha words."] });
      const second = await reopen(ctx.index());
      expect(await second.remove(scope)).toBe(true);
      expect(await second.remove(scope)).toBe(false);
      const third = await reopen(ctx.index());
      expect(await third.exists(scope)).toBe(false);
      expect(await third.scopes()).toEqual([]);
      expect(await third.query([scope], { text: "words", k: 10 })).toEqual([]);
    },
  );

  h.it(
    "scopes.prefix - removing a scope leaves those whose domain or generation starts with its characters, here and after a reopen",
    async () => {
      const gone: IndexScope = { domainId: "kb", generation: "g1" };
      const kept: IndexScope[] = [
        { domainId: "kb-eu", generation: "g1" },
        { domainId: "kb", generation: "g10" },
        { domainId: "kbx", generation: "g1" },
      ];
      for (const s of [gone, ...kept])
        await ctx.put(s, { "p.md": [`Puffins of ${s.domainId} ${s.generation}.`] });
      expect(await ctx.index().remove(gone)).toBe(true);
      const instances = [ctx.index()];
      if (ctx.persistent && ctx.reopen) instances.push(await reopen(ctx.index()));
      for (const of of instances) {
        expect(await of.exists(gone)).toBe(false);
        for (const s of kept) {
          expect(await of.exists(s)).toBe(true);
          const hits = await of.query([s], { text: "puffins", k: 5 });
          expect(hits.map((hit) => hit.chunk.text)).toEqual([
            `Puffins of ${s.domainId} ${s.generation}.`,
          ]);
        }
        const listed = (await of.scopes()).map((s) => `${s.domainId}/${s.generation}`).sort();
        expect(listed).toEqual(["kb-eu/g1", "kb/g10", "kbx/g1"]);
      }
    },
  );
}
