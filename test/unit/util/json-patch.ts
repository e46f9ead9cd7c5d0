/**
 * Unit cases of `src/core/util/json-patch.ts`: `jsonDiff` gives RFC 6902 operations that
 * `applyJsonPatch` replays into the target, with JSON Pointer escaping and arrays that grow
 * and shrink.
 */
import { applyJsonPatch, jsonDiff } from "../../../src/core/util/json-patch.ts";
import { ValidationError } from "../../../src/index.ts";
import { type TestHarness, thrown } from "../../../src/testing/index.ts";

export function jsonPatchUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`JSON Patch (${runtime})`, () => {
    it("jsonDiff - equal values give no operations; changes give add, remove and replace", () => {
      expect(jsonDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
      expect(jsonDiff({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual([
        { op: "remove", path: "/a" },
        { op: "replace", path: "/b", value: 3 },
        { op: "add", path: "/c", value: 4 },
      ]);
      expect(jsonDiff({ "a/b": { "~": 1 } }, { "a/b": { "~": 2 } })).toEqual([
        { op: "replace", path: "/a~1b/~0", value: 2 },
      ]);
      expect(jsonDiff([1], { x: 1 })).toEqual([{ op: "replace", path: "", value: { x: 1 } }]);
    });

    it("applyJsonPatch(a, jsonDiff(a, b)) is b, and a is left alone", () => {
      const pairs: [unknown, unknown][] = [
        [{ list: [1, 2, 3, 4] }, { list: [1, 9] }],
        [{ list: [1] }, { list: [1, { deep: [true, null] }, "x"] }],
        [
          { a: { b: { c: 1 } }, keep: "x" },
          { a: { b: {} }, keep: "x", n: null },
        ],
        [
          { "a/b": 1, "c~d": [0] },
          { "c~d": [0, 1], e: "é🙂" },
        ],
        [{ t: 0.2 }, { t: 0.7 }],
      ];
      for (const [a, b] of pairs) {
        const before = JSON.stringify(a);
        expect(applyJsonPatch(a, jsonDiff(a, b))).toEqual(b);
        expect(applyJsonPatch(b, jsonDiff(b, a))).toEqual(a);
        expect(JSON.stringify(a)).toBe(before);
      }
    });

    it("applyJsonPatch - a path that does not resolve is a ValidationError", () => {
      for (const op of [
        { op: "replace", path: "/missing", value: 1 },
        { op: "add", path: "/x/y", value: 1 },
        { op: "remove", path: "/list/5" },
        { op: "add", path: "no-slash", value: 1 },
      ] as const)
        expect(thrown(() => applyJsonPatch({ list: [1] }, [op])) instanceof ValidationError).toBe(
          true,
        );
    });
  });
}
