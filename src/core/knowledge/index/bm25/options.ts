/**
 * Defaults and validation of the BM25 options.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../../../errors.ts";
import type { Bm25Options, ResolvedBm25Options } from "./types.ts";

/**
 * The defaults. k1 1.2 and b 0.75 are the classic Robertson values (also Lucene's and
 * Elasticsearch's); headings weigh twice the body; a chunk takes half its score from its whole
 * source document. On SciFact train (`bench/eval-search.ts`) this scores nDCG@10 0.70 on whole
 * abstracts and 0.69 on 500-character chunks; Anserini's k1 0.9, b 0.4 is within 0.003.
 * @example
 * new Bm25Index({ ...DEFAULT_BM25_OPTIONS, k1: 1.2 })
 */
export const DEFAULT_BM25_OPTIONS: Readonly<ResolvedBm25Options> = Object.freeze({
  k1: 1.2,
  b: 0.75,
  fieldWeights: { heading: 2 },
  fieldB: {},
  groupWeight: 0.5,
  stemmer: "english",
  stopwords: "english",
});

function checkNumber(
  issues: ValidationIssue[],
  path: (string | number)[],
  value: unknown,
  max: number,
): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    issues.push({ path, message: `must be a number from 0 to ${max}` });
  }
}

function checkRecord(
  issues: ValidationIssue[],
  name: string,
  value: unknown,
  max: number,
): Record<string, number> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.push({ path: [name], message: "must be an object of numbers" });
    return {};
  }
  const entries = Object.entries(value);
  for (const [key, v] of entries) checkNumber(issues, [name, key], v, max);
  // fromEntries defines own properties, so even a field named "__proto__" is kept as data.
  return Object.fromEntries(entries) as Record<string, number>;
}

/**
 * Fills in the defaults and checks every option; throws {@link ValidationError} listing each
 * problem.
 * @example
 * resolveBm25Options({ k1: 0.9 }).b // 0.75
 */
export function resolveBm25Options(options: Bm25Options = {}): ResolvedBm25Options {
  const d = DEFAULT_BM25_OPTIONS;
  const o = {
    k1: options.k1 ?? d.k1,
    b: options.b ?? d.b,
    fieldWeights: options.fieldWeights ?? d.fieldWeights,
    fieldB: options.fieldB ?? d.fieldB,
    groupWeight: options.groupWeight ?? d.groupWeight,
    stemmer: options.stemmer ?? d.stemmer,
    stopwords: options.stopwords ?? d.stopwords,
  };
  const issues: ValidationIssue[] = [];
  checkNumber(issues, ["k1"], o.k1, 100);
  checkNumber(issues, ["b"], o.b, 1);
  checkNumber(issues, ["groupWeight"], o.groupWeight, 1);
  const fieldWeights = checkRecord(issues, "fieldWeights", o.fieldWeights, 1e6);
  const fieldB = checkRecord(issues, "fieldB", o.fieldB, 1);
  if (o.stemmer !== "english" && o.stemmer !== "none") {
    issues.push({ path: ["stemmer"], message: 'must be "english" or "none"' });
  }
  let stopwords: ResolvedBm25Options["stopwords"] = "english";
  if (o.stopwords === "english" || o.stopwords === "none") stopwords = o.stopwords;
  else if (Array.isArray(o.stopwords) && o.stopwords.every((w) => typeof w === "string")) {
    stopwords = [...o.stopwords];
  } else issues.push({ path: ["stopwords"], message: 'must be "english", "none" or strings' });
  if (issues.length > 0) {
    const where = issues.map((i) => i.path.join(".")).join(", ");
    throw new ValidationError(`Invalid BM25 options: ${where}`, issues);
  }
  return {
    k1: o.k1,
    b: o.b,
    fieldWeights: { ...fieldWeights },
    fieldB: { ...fieldB },
    groupWeight: o.groupWeight,
    stemmer: o.stemmer,
    stopwords,
  };
}
