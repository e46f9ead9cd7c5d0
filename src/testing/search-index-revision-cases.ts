/**
 * The `SearchIndex` suite's cases for an index that keeps past revisions (capability
 * `revisions`): a scope searched as of an earlier commit answers as it did then — words and
 * vectors — while the current revision answers as now; an unknown revision is refused; another
 * instance over the same storage answers as of it too. Registered by `searchIndexSuite`; an
 * index with at least two revisions kept passes them (pruning is the index's own policy, tested
 * with it).
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type {
  IndexCommit,
  IndexScope,
  QueryScope,
  SearchIndex,
} from "../core/knowledge/index/types.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";
import type { StageOne } from "./search-index-persist-cases.ts";

/** What the cases need from the suite that registers them. */
export interface SearchIndexRevisionContext {
  index(): SearchIndex;
  /** Instances the cases open, closed after each case. */
  opened: SearchIndex[];
  scope: IndexScope;
  other: IndexScope;
  stageOne: StageOne;
  /** The vector `stageOne` gives `seed`. */
  vectorFor(seed: number): Float32Array;
  reopen: ((index: SearchIndex) => Promise<SearchIndex> | SearchIndex) | undefined;
  revisions: boolean;
  persistent: boolean;
  vector: boolean;
}

/**
 * Registers the revision cases (inside the search-index suite's describe).
 * @example
 * searchIndexRevisionCases(h, { index: () => index, opened, scope, other, stageOne, vectorFor, reopen, revisions: true, persistent: true, vector: true });
 */
export function searchIndexRevisionCases(h: TestHarness, ctx: SearchIndexRevisionContext): void {
  const { expect } = h;
  const itRevisions = itUnless(h, !ctx.revisions && "the index does not keep past revisions");
  const itReopen = itUnless(
    h,
    !(ctx.revisions && ctx.persistent && ctx.reopen) &&
      "the index keeps no past revisions, or is not persistent (or no reopen given)",
  );
  const { scope } = ctx;

  /** Commits `files` (`path → text`, `null` removes) to the suite's scope; the commit made. */
  const commit = async (
    files: Record<string, string | null>,
    seed: number,
    index: SearchIndex = ctx.index(),
  ): Promise<IndexCommit> => {
    const stage = await index.stage(scope, { embedding: ctx.vector ? "test" : null });
    for (const [path, text] of Object.entries(files)) {
      if (text === null) stage.remove(path);
      else await ctx.stageOne(stage, scope, path, `sum-${text}`, text, seed);
    }
    return stage.commit();
  };
  const texts = async (
    text: string,
    revision?: string,
    index: SearchIndex = ctx.index(),
  ): Promise<string[]> => {
    const asked: QueryScope = revision === undefined ? scope : { ...scope, revision };
    return (await index.query([asked], { text, k: 10 })).map((hit) => hit.chunk.text);
  };

  itRevisions(
    "revisions.as-of - a past revision answers as it did then, words and vectors; the current one as now",
    async () => {
      const index = ctx.index();
      const first = await commit({ "a.md": "Walruses bask on the ice." }, 3);
      const second = await commit({ "a.md": "Penguins huddle in the snow.", "b.md": "Gulls." }, 5);
      const listed = await index.revisions?.(scope);
      expect(listed?.slice(0, 2).map((r) => [r.revision, r.current])).toEqual([
        [second.version, true],
        [first.version, false],
      ]);
      expect(await texts("walruses", first.version)).toEqual(["Walruses bask on the ice."]);
      expect(await texts("penguins gulls", first.version)).toEqual([]);
      expect((await texts("penguins gulls", second.version)).sort()).toEqual([
        "Gulls.",
        "Penguins huddle in the snow.",
      ]);
      expect(await texts("walruses")).toEqual([]);
      // A hit names the scope as it is, without the revision asked for.
      const [hit] = await index.query([{ ...scope, revision: first.version }], {
        text: "walruses",
        k: 1,
      });
      expect(hit?.scope).toEqual(scope);
      if (ctx.vector) {
        // The replaced version's vector is still there while its revision is kept.
        const byVector = await index.query([{ ...scope, revision: first.version }], {
          vector: ctx.vectorFor(3),
          embedding: "test",
          k: 1,
        });
        expect(byVector.map((x) => x.chunk.text)).toEqual(["Walruses bask on the ice."]);
      }
      expect(await index.revisionState?.(scope, first.version)).toBe("kept");
    },
  );

  itRevisions(
    "revisions.unknown - a revision the scope never had is a ValidationError naming revision, in another scope too",
    async () => {
      const index = ctx.index();
      const made = await commit({ "a.md": "Walruses bask on the ice." }, 3);
      const error = await expectRejects(
        h,
        index.query([{ ...scope, revision: "no-such-revision" }], { text: "walruses", k: 1 }),
        ValidationError,
        "no-such-revision",
      );
      expect((error as ValidationError).issues[0]?.path).toEqual(["revision"]);
      expect(await index.revisionState?.(scope, "no-such-revision")).toBe("unknown");
      // A revision belongs to its scope.
      expect(await index.revisionState?.(ctx.other, made.version)).toBe("unknown");
    },
  );

  itReopen(
    "revisions.reopen - another instance over the same storage searches as of a past revision",
    async () => {
      const first = await commit({ "a.md": "Walruses bask on the ice." }, 3);
      await commit({ "a.md": "Penguins huddle in the snow." }, 5);
      const again = await (ctx.reopen as NonNullable<typeof ctx.reopen>)(ctx.index());
      ctx.opened.push(again);
      await again.initialize();
      expect(await texts("walruses", first.version, again)).toEqual(["Walruses bask on the ice."]);
      expect(await texts("penguins", undefined, again)).toEqual(["Penguins huddle in the snow."]);
    },
  );
}
