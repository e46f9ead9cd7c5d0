/**
 * The built-in BM25F scorer over statistics kept in a database: what `SqlSearchIndex` ranks an
 * engine's candidates with (its `ranking: "builtin"`). Each chunk and each file is analysed with
 * the built-in tokenizer when it is committed — its terms with their counts per field (`heading`,
 * `text`) and its field lengths — and the scope keeps, per term, how many chunks (`df`) and files
 * (`gdf`) hold it, with its chunk and file counts and length sums. A query then scores the
 * engine's candidates exactly as `Bm25Index` scores them (same k1, b, field weights, and the
 * file's share `groupWeight`), with the scope's own statistics, not the candidates'.
 * @module
 */
import { resolveBm25Options } from "./bm25/options.ts";
import { ENGLISH_STOPWORDS } from "./bm25/stopwords.ts";
import { createTokenizer, normalizeText, type Tokenizer } from "./bm25/tokenize.ts";
import type { Bm25Options, ResolvedBm25Options } from "./bm25/types.ts";

/** Terms of a chunk or file: term → [count in the heading, count in the text]. */
export type FieldTerms = Record<string, [number, number]>;

/** A chunk or file as the built-in tokenizer sees it. */
export interface Analysed {
  terms: FieldTerms;
  /** Terms in the heading and in the text (the BM25 field lengths). */
  lengths: [number, number];
}

/** A scope's statistics: what the built-in index would hold for it. */
export interface ScopeStats {
  /** Chunks (BM25 units). */
  units: number;
  /** Files (BM25 groups). */
  groups: number;
  /** Summed heading and text lengths of every chunk. */
  lengthSum: [number, number];
  /** Per query term: the chunks holding it. */
  df: ReadonlyMap<string, number>;
  /** Per query term: the files holding it. */
  gdf: ReadonlyMap<string, number>;
}

/** One candidate to score: the chunk, and the file it belongs to (all its chunks summed). */
export interface Candidate {
  unit: Analysed;
  group: Analysed;
}

/**
 * The built-in tokenizer and scoring options, applied to rows of a database.
 * @example
 * const builtin = new BuiltinTerms();
 * builtin.analyse("Doc > FAQ", "Reset your password."); // { terms: { password: [0, 1], … }, lengths: [2, 2] }
 */
export class BuiltinTerms {
  readonly options: ResolvedBm25Options;
  /** The words the tokenizer drops (normalised): an engine's query leaves them out too. */
  readonly stopwords: ReadonlySet<string>;
  readonly #tokenize: Tokenizer;
  readonly #weights: [number, number];
  readonly #b: [number, number];

  constructor(options: Bm25Options = {}) {
    this.options = resolveBm25Options(options);
    this.#tokenize = createTokenizer(this.options);
    const stop = this.options.stopwords;
    this.stopwords =
      stop === "english"
        ? ENGLISH_STOPWORDS
        : new Set(stop === "none" ? [] : stop.map((w) => normalizeText(w)));
    const pick = (table: Record<string, number>, name: string, fallback: number): number =>
      Object.hasOwn(table, name) ? (table[name] as number) : fallback;
    const o = this.options;
    this.#weights = [pick(o.fieldWeights, "heading", 1), pick(o.fieldWeights, "text", 1)];
    this.#b = [pick(o.fieldB, "heading", o.b), pick(o.fieldB, "text", o.b)];
  }

  /** A chunk's terms and lengths, as `Bm25Index` indexes `{ heading, text }`. */
  analyse(heading: string, text: string): Analysed {
    const terms: FieldTerms = {};
    const lengths: [number, number] = [0, 0];
    for (const [f, value] of [heading, text].entries()) {
      const tokens = this.#tokenize(value);
      lengths[f] = tokens.length;
      for (const t of tokens) {
        const counts: [number, number] = Object.hasOwn(terms, t)
          ? (terms[t] as [number, number])
          : [0, 0];
        counts[f] = (counts[f] as number) + 1;
        terms[t] = counts;
      }
    }
    return { terms, lengths };
  }

  /** The query's terms (repeats kept: a repeated term weighs more, as in `Bm25Index`). */
  queryTerms(text: string): string[] {
    return this.#tokenize(text);
  }

  /**
   * The built-in score of each candidate for `terms` (0: none of the terms is in the chunk, so
   * the built-in index would not return it).
   */
  score(terms: readonly string[], candidates: readonly Candidate[], stats: ScopeStats): number[] {
    const { k1, groupWeight } = this.options;
    const useGroups = groupWeight > 0 && stats.groups < stats.units;
    const alpha = useGroups ? groupWeight : 0;
    const qtf = new Map<string, number>();
    for (const t of terms) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    const norm = (lengths: [number, number], count: number): [number, number] =>
      [0, 1].map((f) => {
        const avg = count > 0 ? (stats.lengthSum[f] as number) / count : 0;
        const b = this.#b[f] as number;
        const w = this.#weights[f] as number;
        return avg > 0 ? w / (1 - b + (b * (lengths[f] as number)) / avg) : w;
      }) as [number, number];
    const pseudo = (counts: [number, number] | undefined, factors: [number, number]): number =>
      counts ? counts[0] * factors[0] + counts[1] * factors[1] : 0;
    const idf = (n: number, df: number): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));
    return candidates.map(({ unit, group }) => {
      const unitFactors = norm(unit.lengths, stats.units);
      const groupFactors = useGroups ? norm(group.lengths, stats.groups) : unitFactors;
      let unitScore = 0;
      let groupScore = 0;
      for (const [t, q] of qtf) {
        const df = stats.df.get(t) ?? 0;
        if (df <= 0) continue;
        const x = pseudo(unit.terms[t], unitFactors);
        if (x > 0) unitScore += (idf(stats.units, df) * (k1 + 1) * q * x) / (k1 + x);
        // The file's share counts every term of the file, in this chunk or another.
        if (!useGroups) continue;
        const gx = pseudo(group.terms[t], groupFactors);
        const gdf = stats.gdf.get(t) ?? 0;
        if (gx > 0 && gdf > 0)
          groupScore += (idf(stats.groups, gdf) * (k1 + 1) * q * gx) / (k1 + gx);
      }
      if (unitScore === 0) return 0;
      return alpha > 0 ? (1 - alpha) * unitScore + alpha * groupScore : unitScore;
    });
  }
}

/** A file's terms and lengths, its chunks' summed as they are added. */
export class FileTerms {
  readonly #terms: FieldTerms = {};
  readonly #lengths: [number, number] = [0, 0];

  add(part: Analysed): void {
    this.#lengths[0] += part.lengths[0];
    this.#lengths[1] += part.lengths[1];
    for (const [t, [h, x]] of Object.entries(part.terms)) {
      const counts: [number, number] = Object.hasOwn(this.#terms, t)
        ? (this.#terms[t] as [number, number])
        : [0, 0];
      counts[0] += h;
      counts[1] += x;
      this.#terms[t] = counts;
    }
  }

  /** The terms as JSON text, and the lengths. */
  json(): { terms: string; lengths: [number, number] } {
    return { terms: JSON.stringify(this.#terms), lengths: [...this.#lengths] };
  }
}

/**
 * The document-frequency changes of files put, from their chunks' terms as JSON text (one file
 * parsed at a time): per term, the chunks (`df`) and files (`gdf`) that hold it.
 * @example
 * termDeltas([['{"password":[0,1]}', '{"password":[1,0]}']]); // Map { "password" => [2, 1] }
 */
export function termDeltas(files: Iterable<readonly string[]>): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const chunks of files) {
    const inFile = new Set<string>();
    for (const text of chunks)
      for (const t of Object.keys(JSON.parse(text) as FieldTerms)) {
        const d = out.get(t) ?? [0, 0];
        d[0]++;
        if (!inFile.has(t)) {
          inFile.add(t);
          d[1]++;
        }
        out.set(t, d);
      }
  }
  return out;
}
