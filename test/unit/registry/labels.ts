/**
 * Unit cases of `src/core/registry/labels.ts`: the stable hash of split keys (pinned: a change
 * would move users between versions), how shares take buckets, and the checks of splits and of
 * the `ext` that stores them.
 */
import {
  bucketOf,
  checkLabelTarget,
  checkSplit,
  labelViews,
  oldestLabelled,
  pickShare,
  primaryOf,
  resolveLabel,
  sameTarget,
  splitSeed,
  withLabel,
} from "../../../src/core/registry/labels.ts";
import { checkExt } from "../../../src/core/registry/record-ext.ts";
import { ValidationError } from "../../../src/index.ts";
import { type TestHarness, thrown } from "../../../src/testing/index.ts";

const shares = (...s: [number, number][]) => s.map(([version, percent]) => ({ version, percent }));

export function labelsUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`labels and splits (${runtime})`, () => {
    it("bucketOf - pinned values: the same key lands in the same bucket on every runtime and release", () => {
      const seed = splitSeed("support-bot", "canary");
      expect(
        ["user-1", "user-42", "alice@example.com", "ключ-🙂"].map((k) => bucketOf(seed, k)),
      ).toEqual([1603, 4768, 461, 6959]);
      // Another bot or label reshuffles keys (no key is always first in line everywhere).
      expect(bucketOf(splitSeed("other-bot", "canary"), "user-1")).not.toBe(1603);
    });

    it("bucketOf - 10,000 keys spread evenly: a 10 % share gets 10 % ± 1.5", () => {
      const seed = splitSeed("b", "c");
      let low = 0;
      for (let i = 0; i < 10_000; i++) if (bucketOf(seed, `u${i}`) < 1000) low++;
      expect(low).toBeGreaterThan(850);
      expect(low).toBeLessThan(1150);
    });

    it("pickShare - shares take consecutive buckets in the order listed", () => {
      const split = shares([3, 90], [4, 10]);
      expect([0, 8999, 9000, 9999].map((b) => pickShare(split, b))).toEqual([3, 3, 4, 4]);
      expect(pickShare(shares([3, 100], [4, 0]), 9999)).toBe(3);
      expect(primaryOf(shares([3, 40], [4, 60]))).toBe(4);
      expect(primaryOf(shares([3, 50], [4, 50]))).toBe(3);
    });

    it("checkSplit and checkLabelTarget - sums, repeats, percents; a one-share split is a plain label", () => {
      const message = (f: () => unknown) => (thrown(f) as ValidationError).message;
      expect(message(() => checkSplit(shares([1, 60], [2, 30])))).toContain(
        "add up to 90, not 100",
      );
      expect(message(() => checkSplit(shares([1, 50], [1, 50])))).toContain("version 1 twice");
      expect(thrown(() => checkSplit(shares([1, 150], [2, -50]))) instanceof ValidationError).toBe(
        true,
      );
      expect(thrown(() => checkSplit([])) instanceof ValidationError).toBe(true);
      expect(
        thrown(() =>
          checkSplit(
            Array.from({ length: 21 }, (_, i) => ({ version: i + 1, percent: i === 0 ? 100 : 0 })),
          ),
        ) instanceof ValidationError,
      ).toBe(true);
      expect(checkLabelTarget({ split: shares([2, 100]) })).toEqual({ version: 2 });
      expect(
        thrown(() => checkLabelTarget({ version: 1, split: shares([1, 100]) })) instanceof
          ValidationError,
      ).toBe(true);
    });

    it("checkExt - a split belongs to a label holding its primary, and names kept versions", () => {
      const ok = { labels: { c: 3 }, splits: { c: shares([3, 90], [4, 10]) } };
      checkExt(ok, 4);
      for (const [ext, version] of [
        [{ labels: { c: 4 }, splits: { c: shares([3, 90], [4, 10]) } }, 4],
        [{ splits: { c: shares([3, 90], [4, 10]) } }, 4],
        [ok, 3],
        [{ labels: { c: 3 }, splits: { c: shares([3, 100]) } }, 4],
        [{ labels: { c: 3 }, splits: [] }, 4],
      ] as const)
        expect((thrown(() => checkExt(ext, version)) as ValidationError).message).toContain("ext");
    });

    it("withLabel, sameTarget, labelViews, resolveLabel, oldestLabelled - one ext, read and written", () => {
      const ext = withLabel({ labels: { a: 1 } }, "c", { split: shares([2, 70], [3, 30]) });
      expect(ext).toEqual({ labels: { a: 1, c: 2 }, splits: { c: shares([2, 70], [3, 30]) } });
      expect(sameTarget(ext, "c", { split: shares([2, 70], [3, 30]) })).toBe(true);
      expect(sameTarget(ext, "c", { version: 2 })).toBe(false);
      expect(withLabel(ext, "c", null)).toEqual({ labels: { a: 1 } });
      expect(withLabel({ labels: { a: 1 } }, "a", null)).toEqual({});
      expect(Object.keys(labelViews(ext, 5))).toEqual(["latest", "a", "c"]);
      expect(labelViews(ext, 5).c).toEqual({ version: 2, split: shares([2, 70], [3, 30]) });
      expect(resolveLabel("b", ext, 5, "latest")).toBe(5);
      expect(resolveLabel("b", ext, 5, "c")).toBe(2);
      expect(resolveLabel("b", ext, 5, "missing")).toBeUndefined();
      const seed = splitSeed("b", "c");
      const key = Array.from({ length: 100 }, (_, i) => `k${i}`).find(
        (k) => bucketOf(seed, k) >= 7000,
      ) as string;
      expect(resolveLabel("b", ext, 5, "c", key)).toBe(3);
      expect(oldestLabelled(ext)).toBe(1);
      expect(oldestLabelled({ labels: { c: 4 }, splits: { c: shares([4, 50], [2, 50]) } })).toBe(2);
      expect(oldestLabelled(undefined)).toBeUndefined();
    });
  });
}
