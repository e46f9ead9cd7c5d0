/**
 * The English (Porter2) stemmer, written from the published description of the Snowball English
 * algorithm (M. F. Porter, "The English (Porter2) stemming algorithm", snowballstem.org).
 *
 * Input is one lower-case word of `a`–`z` and `'`; anything else should not be passed in (the
 * tokenizer only stems Latin-script tokens, so Cyrillic, Arabic or CJK words are never touched).
 * @module
 */

// Whole words with an irregular stem, checked before anything else.
const EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["skis", "ski"],
  ["skies", "sky"],
  ["dying", "die"],
  ["lying", "lie"],
  ["tying", "tie"],
  ["idly", "idl"],
  ["gently", "gentl"],
  ["ugly", "ugli"],
  ["early", "earli"],
  ["only", "onli"],
  ["singly", "singl"],
  ["sky", "sky"],
  ["news", "news"],
  ["howe", "howe"],
  ["atlas", "atlas"],
  ["cosmos", "cosmos"],
  ["bias", "bias"],
  ["andes", "andes"],
]);

// Words left alone once step 1a has run.
const AFTER_1A: ReadonlySet<string> = new Set([
  "inning",
  "outing",
  "canning",
  "herring",
  "earring",
  "proceed",
  "exceed",
  "succeed",
]);

// Prefixes whose end is taken as the start of R1 (so "generous" and "generate" stay apart).
const R1_PREFIXES = ["gener", "commun", "arsen"] as const;

// [suffix, replacement, condition] rows, longest suffix first: the longest match decides.
type Row = readonly [suffix: string, replacement: string, needs?: "l" | "li" | "r2"];

const STEP2: readonly Row[] = [
  ["ization", "ize"],
  ["ational", "ate"],
  ["fulness", "ful"],
  ["ousness", "ous"],
  ["iveness", "ive"],
  ["tional", "tion"],
  ["biliti", "ble"],
  ["lessli", "less"],
  ["entli", "ent"],
  ["ation", "ate"],
  ["alism", "al"],
  ["aliti", "al"],
  ["ousli", "ous"],
  ["iviti", "ive"],
  ["fulli", "ful"],
  ["enci", "ence"],
  ["anci", "ance"],
  ["abli", "able"],
  ["izer", "ize"],
  ["ator", "ate"],
  ["alli", "al"],
  ["bli", "ble"],
  ["ogi", "og", "l"],
  ["li", "", "li"],
];

const STEP3: readonly Row[] = [
  ["ational", "ate"],
  ["tional", "tion"],
  ["alize", "al"],
  ["icate", "ic"],
  ["iciti", "ic"],
  ["ative", "", "r2"],
  ["ical", "ic"],
  ["ness", ""],
  ["ful", ""],
];

const STEP4: readonly string[] = [
  "ement",
  "ance",
  "ence",
  "able",
  "ible",
  "ment",
  "ant",
  "ent",
  "ism",
  "ate",
  "iti",
  "ous",
  "ive",
  "ize",
  "ion",
  "al",
  "er",
  "ic",
];

// The rows of a table grouped by their suffix's last letter, keeping the longest-first order, so
// a word is compared only with the suffixes it could end with.
function byLastLetter<T>(rows: readonly T[], suffix: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const last = suffix(row).slice(-1);
    map.set(last, [...(map.get(last) ?? []), row]);
  }
  return map;
}

const STEP2_BY_LAST = byLastLetter(STEP2, (r) => r[0]);
const STEP3_BY_LAST = byLastLetter(STEP3, (r) => r[0]);
const STEP4_BY_LAST = byLastLetter(STEP4, (r) => r);

// `y` counts as a vowel; a `Y` (a y marked as a consonant) does not.
function isVowel(c: string | undefined): boolean {
  return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";
}

function isDouble(w: string): boolean {
  const n = w.length;
  if (n < 2 || w[n - 1] !== w[n - 2]) return false;
  return "bdfgmnprt".includes(w[n - 1] as string);
}

function isLiEnding(c: string | undefined): boolean {
  return c !== undefined && "cdeghkmnrt".includes(c);
}

/** Whether `w` ends in a short syllable (checked at the end of `w` only). */
function endsShortSyllable(w: string): boolean {
  const n = w.length;
  if (n === 2) return isVowel(w[0]) && !isVowel(w[1]);
  if (n < 3) return false;
  const last = w[n - 1];
  return (
    !isVowel(w[n - 3]) &&
    isVowel(w[n - 2]) &&
    !isVowel(last) &&
    last !== "w" &&
    last !== "x" &&
    last !== "Y"
  );
}

/** The start of the region after the first non-vowel that follows a vowel, from `from` on. */
function regionAfter(w: string, from: number): number {
  for (let i = from + 1; i < w.length; i++) {
    if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1;
  }
  return w.length;
}

function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(w[i])) return true;
  return false;
}

function step1a(w: string): string {
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ied") || w.endsWith("ies")) return w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  if (w.endsWith("us") || w.endsWith("ss")) return w;
  // Delete a final s when a vowel comes before the letter preceding it: gaps → gap, gas stays.
  if (w.endsWith("s") && hasVowel(w, w.length - 2)) return w.slice(0, -1);
  return w;
}

function step1b(w: string, r1: number): string {
  for (const suffix of ["eedly", "eed"]) {
    if (w.endsWith(suffix)) {
      return w.length - suffix.length >= r1 ? `${w.slice(0, -suffix.length)}ee` : w;
    }
  }
  for (const suffix of ["ingly", "edly", "ing", "ed"]) {
    if (!w.endsWith(suffix)) continue;
    const stem = w.slice(0, -suffix.length);
    if (!hasVowel(stem, stem.length)) return w;
    if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) return `${stem}e`;
    if (isDouble(stem)) return stem.slice(0, -1);
    // A short word (short syllable at the end, empty R1) gets its e back: hop(e)d → hope.
    if (r1 >= stem.length && endsShortSyllable(stem)) return `${stem}e`;
    return stem;
  }
  return w;
}

function applyTable(
  w: string,
  table: ReadonlyMap<string, readonly Row[]>,
  r1: number,
  r2: number,
): string {
  for (const [suffix, replacement, needs] of table.get(w[w.length - 1] as string) ?? []) {
    if (!w.endsWith(suffix)) continue;
    const start = w.length - suffix.length;
    if (start < r1) return w;
    if (needs === "r2" && start < r2) return w;
    if (needs === "l" && w[start - 1] !== "l") return w;
    if (needs === "li" && !isLiEnding(w[start - 1])) return w;
    return w.slice(0, start) + replacement;
  }
  return w;
}

function step4(w: string, r2: number): string {
  for (const suffix of STEP4_BY_LAST.get(w[w.length - 1] as string) ?? []) {
    if (!w.endsWith(suffix)) continue;
    const start = w.length - suffix.length;
    if (start < r2) return w;
    if (suffix === "ion" && w[start - 1] !== "s" && w[start - 1] !== "t") return w;
    return w.slice(0, start);
  }
  return w;
}

function step5(w: string, r1: number, r2: number): string {
  const n = w.length;
  if (w[n - 1] === "e") {
    if (n - 1 >= r2 || (n - 1 >= r1 && !endsShortSyllable(w.slice(0, -1)))) return w.slice(0, -1);
  } else if (w[n - 1] === "l" && n - 1 >= r2 && w[n - 2] === "l") {
    return w.slice(0, -1);
  }
  return w;
}

/**
 * Stems one lower-case English word with the Porter2 algorithm.
 * @example
 * stemEnglish("generously") // "generous"
 * stemEnglish("consistency") // "consist"
 */
export function stemEnglish(word: string): string {
  if (word.length <= 2) return word;
  const exception = EXCEPTIONS.get(word);
  if (exception !== undefined) return exception;

  let w = word.charCodeAt(0) === 39 ? word.slice(1) : word;
  if (w.length <= 2) return w;
  // Mark the y's that act as consonants: at the start, or after a vowel.
  if (w.includes("y")) {
    let marked = "";
    for (let i = 0; i < w.length; i++) {
      const c = w[i] as string;
      marked += c === "y" && (i === 0 || isVowel(marked[i - 1])) ? "Y" : c;
    }
    w = marked;
  }

  let r1 = -1;
  for (const prefix of R1_PREFIXES) if (w.startsWith(prefix)) r1 = prefix.length;
  if (r1 < 0) r1 = regionAfter(w, 0);
  const r2 = regionAfter(w, r1);

  // Step 0: possessive apostrophes.
  if (w.endsWith("'s'")) w = w.slice(0, -3);
  else if (w.endsWith("'s")) w = w.slice(0, -2);
  else if (w.endsWith("'")) w = w.slice(0, -1);

  w = step1a(w);
  if (AFTER_1A.has(w)) return w.replaceAll("Y", "y");
  w = step1b(w, r1);

  // Step 1c: y after a non-vowel that is not the first letter becomes i (cry → cri, by stays).
  const last = w[w.length - 1];
  if ((last === "y" || last === "Y") && w.length > 2 && !isVowel(w[w.length - 2])) {
    w = `${w.slice(0, -1)}i`;
  }

  w = applyTable(w, STEP2_BY_LAST, r1, r2);
  w = applyTable(w, STEP3_BY_LAST, r1, r2);
  w = step4(w, r2);
  w = step5(w, r1, r2);
  return w.replaceAll("Y", "y");
}
