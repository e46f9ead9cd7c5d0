/**
 * A seeded Zipf(s = 1) access sequence for the cache benchmarks: a few hot bots, a long tail.
 */

/**
 * `count` ids `bot-<i>` (i < n), Zipf-distributed, the same for the same seed; `rand`, when
 * given, replaces the seeded generator (then `seed` is unused).
 * @example
 * zipfSequence(1000, 1_000_000); // ["bot-0", "bot-3", "bot-0", ...]
 */
export function zipfSequence(n: number, count: number, seed = 42, rand?: () => number): string[] {
  let state = seed;
  const next =
    rand ??
    ((): number => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    });
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cdf.push(acc);
  }
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const r = next();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < r) lo = mid + 1;
      else hi = mid;
    }
    out[i] = `bot-${lo}`;
  }
  return out;
}
