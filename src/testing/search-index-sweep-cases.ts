/**
 * The `SearchIndex` suite's case for `sweep`, the optional clean-up of what commits that never
 * landed left in the index's storage (a process that died between writing a commit's data and
 * listing it): removed once older than `olderThanMs`, and only then, while what commits listed
 * stays. It runs where the suite's options say how to leave such a commit (`abandonCommit`);
 * {@link abandonBlobCommit} does it for `BlobSearchIndex`. Registered by `searchIndexSuite`.
 * @module
 */
import type { BlobStore } from "../core/blob/types.ts";
import { ValidationError } from "../core/errors.ts";
import type { IndexScope, SearchIndex } from "../core/knowledge/index/types.ts";
import type { FakeClock } from "./harness.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";

/** What the case needs from the suite that registers it. */
export interface SearchIndexSweepContext {
  index(): SearchIndex;
  /** The clock the suite gave `create`: the case ages what was left behind with it. */
  clock: FakeClock;
  scope: IndexScope;
  /** Commits files `{ path: [texts] }` to a scope. */
  put(target: IndexScope, files: Record<string, string[]>): Promise<void>;
  /** The texts of the hits in the suite's scope. */
  search(text: string): Promise<string[]>;
  /** A second instance over the same storage, opened (and closed by the suite). */
  reopen: ((index: SearchIndex) => Promise<SearchIndex>) | undefined;
  /** The suite's `abandonCommit`. */
  abandonCommit: ((index: SearchIndex, scope: IndexScope) => Promise<void>) | undefined;
}

const HOUR = 3_600_000;

/**
 * Registers the sweep case (inside the search-index suite's describe).
 * @example
 * searchIndexSweepCases(h, { index: () => index, clock, scope, put, search, reopen, abandonCommit });
 */
export function searchIndexSweepCases(h: TestHarness, ctx: SearchIndexSweepContext): void {
  const { expect } = h;
  itUnless(
    h,
    !ctx.abandonCommit && "the options give no abandonCommit (what a commit that died leaves)",
  )(
    "sweep.age - what a commit that never landed left goes once older than olderThanMs, and only then; what commits listed stays",
    async () => {
      const index = ctx.index();
      const sweep = (options?: { olderThanMs?: number }): Promise<number> => {
        if (typeof index.sweep !== "function")
          throw new Error("the index has no sweep(), yet the options give abandonCommit");
        return index.sweep(options);
      };
      await ctx.put(ctx.scope, { "kept.md": ["Quokkas smile at strangers."] });
      await (ctx.abandonCommit as NonNullable<typeof ctx.abandonCommit>)(index, ctx.scope);
      // Just written, as a commit under way looks: kept by the default hour, and by any longer age.
      expect(await sweep()).toBe(0);
      ctx.clock.advance(HOUR / 2);
      expect(await sweep()).toBe(0);
      ctx.clock.advance(HOUR);
      expect(await sweep({ olderThanMs: 2 * HOUR })).toBe(0);
      // An hour and a half old: gone, once.
      expect(await sweep()).toBeGreaterThan(0);
      expect(await sweep()).toBe(0);
      expect(await sweep({ olderThanMs: 0 })).toBe(0);
      // What the commit listed stays, here and for another instance.
      expect(await ctx.search("quokkas")).toEqual(["Quokkas smile at strangers."]);
      if (ctx.reopen) {
        const again = await ctx.reopen(index);
        const hits = await again.query([ctx.scope], { text: "quokkas", k: 5 });
        expect(hits.map((hit) => hit.chunk.text)).toEqual(["Quokkas smile at strangers."]);
      }
      await expectRejects(h, sweep({ olderThanMs: -1 }), ValidationError, "olderThanMs");
    },
  );
}

/** `store` with every write of an index head failing, as if the process died right before it. */
function diesBeforeHead(store: BlobStore): BlobStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === "put")
        return (
          name: string,
          body: Parameters<BlobStore["put"]>[1],
          options?: Parameters<BlobStore["put"]>[2],
        ) =>
          name.endsWith("/head.json")
            ? Promise.reject(new Error("the process died before it listed its segment"))
            : target.put(name, body, options);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * `abandonCommit` for a `BlobSearchIndex` over a store: a commit (a rebuild) by another process
 * over the same store and prefix that dies after writing its segment, before the head lists it.
 * @example
 * searchIndexSuite(h, { name: "mine", create: ({ now }) => new BlobSearchIndex({ store, now }), abandonCommit: abandonBlobCommit });
 */
export async function abandonBlobCommit(index: SearchIndex, scope: IndexScope): Promise<void> {
  // Read as data, not by class: the mutant kit hands in indexes of a patched copy of the class.
  const { store, prefix } = index as { store?: BlobStore | null; prefix?: string };
  if (!store || typeof prefix !== "string")
    throw new Error("abandonBlobCommit: give it a BlobSearchIndex over a blob store");
  const { BlobSearchIndex } = await import("../core/knowledge/index/blob-search-index.ts");
  const dying = new BlobSearchIndex({ store: diesBeforeHead(store), prefix });
  // A rebuild (`fresh`): it reads nothing of the scope, whatever the index keeps its vectors in.
  const stage = await dying.stage(scope, { fresh: true });
  await stage.put("abandoned.md", { checksum: "sum-abandoned", fingerprint: "f1" }, [
    {
      chunkId: `${scope.domainId}\u001fabandoned.md\u001f0`,
      source: "abandoned.md",
      chunkIndex: 0,
      text: "Wombats dig burrows.",
      headingPath: "",
      headings: [],
      lineNumber: 1,
      metadata: {},
    },
  ]);
  let landed = true;
  await stage.commit().catch(() => {
    landed = false;
  });
  if (landed) throw new Error("abandonBlobCommit: the commit landed; its store did not fail");
}
