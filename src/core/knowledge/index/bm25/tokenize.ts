/**
 * Unicode-aware tokenization for lexical search: NFKC normalisation, lower-casing, splitting on
 * anything that is not a letter, mark or digit, light per-script normalisation, CJK bigrams,
 * English stopwords and the Porter2 stemmer (Latin-script words only, so other scripts are never
 * damaged by English suffix rules).
 * @module
 */
import { stemEnglish } from "./stemmer.ts";
import { ENGLISH_STOPWORDS } from "./stopwords.ts";

/**
 * Which stemmer the tokenizer applies to Latin-script words.
 * @example
 * createTokenizer({ stemmer: Stemmer.none })("running") // ["running"]
 */
export const Stemmer = { english: "english", none: "none" } as const;
/**
 * One of the {@link Stemmer} values.
 * @example
 * const stemmer: Stemmer = "english";
 */
export type Stemmer = (typeof Stemmer)[keyof typeof Stemmer];

/**
 * How text becomes terms. Stored with an index, so queries are tokenized like documents.
 * @example
 * createTokenizer({ stemmer: "none", stopwords: ["foo"] })
 */
export interface TokenizerOptions {
  /** `"english"` (Porter2, the default) or `"none"`. */
  stemmer?: Stemmer;
  /** `"english"` (the default), `"none"`, or your own list (compared after normalisation). */
  stopwords?: "english" | "none" | readonly string[];
}

/**
 * Turns text into the terms that are indexed or searched.
 * @example
 * const terms = createTokenizer()("Solar panels"); // ["solar", "panel"]
 */
export type Tokenizer = (text: string) => string[];

// A word: letters, marks and digits, joined by apostrophes, dots, commas, hyphens or underscores
// that sit between two of them ("don't", "1.8", "u.s.a", "il-6", "snake_case").
const WORD = /[\p{L}\p{N}\p{M}]+(?:['.,_\-\u2010][\p{L}\p{N}\p{M}]+)*/gu;
const PLAIN = /^[a-z0-9]+$/;
const ENGLISH_WORD = /^[a-z']+$/;
const NON_ASCII = /[\u0080-\uffff]/;
const CONNECTOR = /[-_\u2010]/;
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;
const CJK_RUNS =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]+|[^\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]+/gu;
const LATIN_FOLDABLE = /[\u00c0-\u024f\u1e00-\u1eff]/;
const HAS_COMBINING_LATIN = /[\u0300-\u036f]/;
const COMBINING_LATIN = /[\u0300-\u036f]/g;
const LATIN_LETTERS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};
const LATIN_LETTER = /[ßæœøłđðþı]/g;
const ARABIC = /[\u0600-\u06ff]/;
// Harakat, superscript alef and tatweel are optional in Arabic writing: drop them.
const ARABIC_MARKS = /[\u064b-\u065f\u0670\u0640]/g;
const ARABIC_LETTERS: Readonly<Record<string, string>> = {
  "\u0623": "\u0627", // alef with hamza above → alef
  "\u0625": "\u0627", // alef with hamza below → alef
  "\u0622": "\u0627", // alef with madda → alef
  "\u0671": "\u0627", // alef wasla → alef
  "\u0649": "\u064a", // alef maksura → yeh
  "\u0629": "\u0647", // teh marbuta → heh
};
const ARABIC_LETTER = /[\u0623\u0625\u0622\u0671\u0649\u0629]/g;
const EASTERN_DIGIT = /[\u0660-\u0669\u06f0-\u06f9]/g;
// Terms longer than this are hashes, base64 or URLs glued together: not worth indexing.
const MAX_TERM_LENGTH = 64;
// Memoised stems per analyzer: vocabulary is Zipfian, so a bounded cache removes most stemming.
const STEM_CACHE_LIMIT = 50_000;

/** Per-script normalisation of one non-ASCII word (its CJK parts are handled separately). */
function normaliseScript(word: string): string {
  let w = word;
  if (LATIN_FOLDABLE.test(w) || HAS_COMBINING_LATIN.test(w)) {
    w = w.normalize("NFD").replace(COMBINING_LATIN, "").normalize("NFC");
  }
  if (NON_ASCII.test(w)) {
    w = w.replace(LATIN_LETTER, (c) => LATIN_LETTERS[c] ?? c);
    if (ARABIC.test(w)) {
      w = w
        .replace(ARABIC_MARKS, "")
        .replace(ARABIC_LETTER, (c) => ARABIC_LETTERS[c] ?? c)
        .replace(EASTERN_DIGIT, (c) => String(c.charCodeAt(0) & 0xf));
    }
    w = w.replaceAll("ё", "е").replaceAll("ς", "σ");
  }
  return w;
}

/**
 * Appends the terms of one word (a {@link splitWords} item) to `out`.
 * @example
 * const out: string[] = []; createWordAnalyzer()("il-6", out); // out: ["il", "6"]
 */
export type WordAnalyzer = (word: string, out: string[]) => void;

class Analyzer {
  readonly stem: boolean;
  readonly stopwords: ReadonlySet<string>;
  // null when the caller caches whole words itself (an index does).
  readonly #stems: Map<string, string> | null;
  constructor(stem: boolean, stopwords: ReadonlySet<string>, cacheStems: boolean) {
    this.stem = stem;
    this.stopwords = stopwords;
    this.#stems = cacheStems ? new Map() : null;
  }

  stemCached(word: string): string {
    if (this.#stems === null) return stemEnglish(word);
    let stem = this.#stems.get(word);
    if (stem === undefined) {
      if (this.#stems.size >= STEM_CACHE_LIMIT) this.#stems.clear();
      stem = stemEnglish(word);
      this.#stems.set(word, stem);
    }
    return stem;
  }

  /** One word without connectors: stopword check, stemming, apostrophes dropped. */
  term(word: string, out: string[]): void {
    let w = word;
    if (!PLAIN.test(w) && NON_ASCII.test(w)) {
      if (CJK.test(w)) {
        this.cjk(w, out);
        return;
      }
      w = normaliseScript(w);
    }
    if (this.stopwords.has(w)) return;
    if (this.stem && ENGLISH_WORD.test(w)) w = this.stemCached(w);
    if (w.includes("'")) w = w.replaceAll("'", "");
    if (w.length > 0 && w.length <= MAX_TERM_LENGTH) out.push(w);
  }

  /** CJK has no spaces between words: index each character and each pair of neighbours. */
  cjk(word: string, out: string[]): void {
    for (const run of word.match(CJK_RUNS) ?? []) {
      if (!CJK.test(run)) {
        this.term(run, out);
        continue;
      }
      const chars = Array.from(run);
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i] as string;
        out.push(c);
        const next = chars[i + 1];
        if (next !== undefined) out.push(c + next);
      }
    }
  }

  /** A word that may hold dots or commas: numbers keep them, acronyms drop them, else split. */
  dotted(word: string, out: string[]): void {
    if (!word.includes(".") && !word.includes(",")) {
      this.term(word, out);
      return;
    }
    const pieces = word.split(/[.,]/);
    if (pieces.every((p) => /^\p{N}+$/u.test(p))) {
      // "1,000" and "1,000.5" lose their thousands separators; "1.8" stays one number.
      const [whole = "", ...rest] = word.split(".");
      const groups = whole.split(",");
      if (groups.length > 1 && !groups.slice(1).every((g) => g.length === 3)) {
        for (const g of groups) this.term(g, out);
        for (const r of rest) this.term(r, out);
        return;
      }
      this.term([groups.join(""), ...rest].join("."), out);
      return;
    }
    // "u.s.a" and "e.g" are acronyms; "node.js" is two words.
    if (pieces.every((p) => p.length === 1)) {
      this.term(pieces.join(""), out);
      return;
    }
    for (const p of pieces) this.term(p, out);
  }

  word(word: string, out: string[]): void {
    if (PLAIN.test(word)) {
      this.term(word, out);
      return;
    }
    if (!CONNECTOR.test(word)) {
      this.dotted(word, out);
      return;
    }
    // Hyphenated compounds are indexed by their parts: "il-6" → "il", "6"; "t-cell" → "t", "cell".
    for (const part of word.split(CONNECTOR)) this.dotted(part, out);
  }
}

function stopwordSet(option: TokenizerOptions["stopwords"]): ReadonlySet<string> {
  if (option === undefined || option === "english") return ENGLISH_STOPWORDS;
  if (option === "none") return new Set();
  return new Set(option.map((w) => w.normalize("NFKC").toLowerCase()));
}

/**
 * Lower-cases and NFKC-normalises text (curly apostrophes become straight ones).
 * @example
 * normalizeText("Ｆｕｌｌ ＡＢＣ") // "full abc"
 */
export function normalizeText(text: string): string {
  const t = NON_ASCII.test(text) ? text.normalize("NFKC").replaceAll("\u2019", "'") : text;
  return t.toLowerCase();
}

/**
 * The words of normalised text: runs of letters, marks and digits, with the apostrophes, dots,
 * commas, hyphens and underscores between them. Each becomes zero or more terms.
 * @example
 * splitWords(normalizeText("IL-6 levels, e.g. 1.8")) // ["il-6", "levels", "e.g", "1.8"]
 */
export function splitWords(normalized: string): string[] {
  return normalized.match(WORD) ?? [];
}

/**
 * The second half of tokenization: from one word to its terms. An index caches its result per
 * distinct word, so this runs once per vocabulary item, not once per occurrence; pass
 * `cacheStems` when the caller does not cache (the tokenizer does, for queries).
 * @example
 * const analyze = createWordAnalyzer();
 * const out: string[] = [];
 * analyze("patients'", out); // out: ["patient"]
 */
export function createWordAnalyzer(
  options: TokenizerOptions = {},
  cacheStems = false,
): WordAnalyzer {
  const analyzer = new Analyzer(
    (options.stemmer ?? "english") === "english",
    stopwordSet(options.stopwords),
    cacheStems,
  );
  return (word, out) => analyzer.word(word, out);
}

/**
 * Builds a tokenizer. The same options must be used for documents and queries; the index stores
 * them for that reason.
 * @example
 * const tokenize = createTokenizer({ stemmer: "english" });
 * tokenize("The patients were running trials") // ["patient", "run", "trial"]
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const analyze = createWordAnalyzer(options, true);
  return (text: string): string[] => {
    const out: string[] = [];
    for (const word of splitWords(normalizeText(text))) analyze(word, out);
    return out;
  };
}

const defaultTokenizer = createTokenizer();

/**
 * Tokenizes with the default options (English stopwords, Porter2 stemming).
 * @example
 * tokenize("机器学习") // ["机", "机器", "器", "器学", "学", "学习", "习"]
 * tokenize("Привет, мир") // ["привет", "мир"]
 */
export function tokenize(text: string): string[] {
  return defaultTokenizer(text);
}
