/** Unit cases of `src/core/util/`, run on every runtime (test/unit/all.ts). */
import { Sha256, sha256Hex } from "../../src/core/util/sha256.ts";
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
}
