/** Unit cases of `src/core/util/`, run on every runtime (test/unit/all.ts). */
import { Sha256, sha256Hex } from "../../src/core/util/sha256.ts";
import { ShardedMap, ShardedSet, SPLIT_AT } from "../../src/core/util/sharded-map.ts";
import type { TestHarness } from "../../src/testing/index.ts";

/** Registers the cases with `h`. */
export function utilUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`incremental SHA-256 (${runtime})`, () => {
    it("matches Web Crypto at every block boundary and across arbitrary splits", async () => {
      for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
        const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) % 256);
        const whole = new Sha256().update(data).hex();
        const split = new Sha256();
        for (let i = 0; i < n; i += 1 + (i % 97))
          split.update(data.subarray(i, Math.min(n, i + 1 + (i % 97))));
        expect(whole).toBe(await sha256Hex(data));
        expect(split.hex()).toBe(whole);
      }
      expect(new Sha256().update(new TextEncoder().encode("abc")).hex()).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      );
    });
  });

  describe(`sharded map and set (${runtime})`, () => {
    it("sharded-map.like-a-map - past the split it answers as a Map does: get, has, set, delete, size, iteration", () => {
      const n = SPLIT_AT * 2 + 17;
      const map = new ShardedMap<string, number>();
      const plain = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        map.set(`doc.md\u001f${i}\u001fv1`, i);
        plain.set(`doc.md\u001f${i}\u001fv1`, i);
      }
      map.set("doc.md\u001f5\u001fv1", -5); // an overwrite is not a new entry
      plain.set("doc.md\u001f5\u001fv1", -5);
      for (let i = 0; i < n; i += 3) {
        expect(map.delete(`doc.md\u001f${i}\u001fv1`)).toBe(true);
        plain.delete(`doc.md\u001f${i}\u001fv1`);
      }
      expect(map.delete("absent")).toBe(false);
      expect(map.size).toBe(plain.size);
      expect(map.get("doc.md\u001f5\u001fv1")).toBe(-5);
      expect(map.has("doc.md\u001f3\u001fv1")).toBe(false);
      expect(map.get("doc.md\u001f4\u001fv1")).toBe(4);
      expect(new Map(map.entries())).toEqual(plain);
      expect([...map.keys()].length).toBe(plain.size);
      expect([...map.values()].reduce((a, b) => a + b, 0)).toBe(
        [...plain.values()].reduce((a, b) => a + b, 0),
      );
      map.clear();
      expect(map.size).toBe(0);
      expect(map.get("doc.md\u001f4\u001fv1")).toBeUndefined();
    });

    it("sharded-set.like-a-set - integer keys past the split: add, has, delete, size, iteration", () => {
      const set = new ShardedSet<number>();
      for (let u = 0; u < SPLIT_AT + 1000; u++) set.add(u).add(u);
      for (let u = 0; u < SPLIT_AT + 1000; u += 2) set.delete(u);
      expect(set.size).toBe((SPLIT_AT + 1000) / 2);
      expect(set.has(1)).toBe(true);
      expect(set.has(2)).toBe(false);
      expect([...set].sort((a, b) => a - b).slice(0, 3)).toEqual([1, 3, 5]);
    });
  });
}
