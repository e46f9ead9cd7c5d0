/**
 * What hashing a split's caller key costs, and what of it is reading the key: `bucketOf` (the
 * pinned FNV-1a + murmur3 finaliser of src/core/registry/labels.ts) beside a loop that only reads
 * the same characters (`charCodeAt`, summed), a cheaper-looking hash that takes two characters
 * per multiply (not stable with `bucketOf`: shown for its cost only) and reading the key's length.
 * Results: bench/RESULTS.md (issue 20, the split inside `getOrCreate`).
 *
 *   npx tsx bench/split-hash.bench.ts   (env: HASH_ROUNDS=61)
 *
 * 50,000 keys `user-<n>` (n < 10,000, 6–9 characters) per run; each variant's loop is its own
 * (monomorphic) code; times are this process's CPU time per key, the median of the rounds.
 */
import { bucketOf, splitSeed } from "../src/core/registry/labels.ts";

const ROUNDS = Number(process.env.HASH_ROUNDS ?? 61);
const keys = Array.from({ length: 50_000 }, (_, i) => `user-${(i * 7919) % 10_000}`);
const seed = splitSeed("bot-1", "canary");

/** Two characters per multiply, then the same finaliser (`bucketOf` over no characters). */
function pairs(start: number, key: string): number {
  let h = start;
  let i = 0;
  for (; i + 1 < key.length; i += 2)
    h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x01000193);
  if (i < key.length) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return bucketOf(h, "");
}

/** Reads every character and nothing more. */
function charsOnly(start: number, key: string): number {
  let h = start;
  for (let i = 0; i < key.length; i++) h = (h + key.charCodeAt(i)) | 0;
  return h;
}

const runs: Record<string, () => number> = {
  "bucketOf (FNV-1a + murmur3 finaliser)": () => {
    let s = 0;
    for (let i = 0; i < keys.length; i++) s = (s + bucketOf(seed, keys[i] as string)) | 0;
    return s;
  },
  "two characters per multiply": () => {
    let s = 0;
    for (let i = 0; i < keys.length; i++) s = (s + pairs(seed, keys[i] as string)) | 0;
    return s;
  },
  "reading the characters only": () => {
    let s = 0;
    for (let i = 0; i < keys.length; i++) s = (s + charsOnly(seed, keys[i] as string)) | 0;
    return s;
  },
  "reading the length only": () => {
    let s = 0;
    for (let i = 0; i < keys.length; i++) s = (s + (keys[i] as string).length) | 0;
    return s;
  },
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((n) => [n, []]));
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(runs)) {
    const c = process.cpuUsage();
    sink ^= run();
    const used = process.cpuUsage(c);
    times[name]?.push(((used.user + used.system) * 1000) / keys.length);
  }
}
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`node ${process.version}, ${ROUNDS} rounds of ${keys.length} keys`);
console.log("| per key | ns (CPU, median) |\n|---|---:|");
for (const [name, xs] of Object.entries(times))
  console.log(`| ${name} | ${median(xs).toFixed(1)} |`);
if (sink === 0.5) console.log(sink);
