/**
 * Public types of the BM25 index: documents, options, hits and the stored JSON form.
 * @module
 */
import type { Stemmer } from "./tokenize.ts";

/**
 * One indexed unit (a whole document or one chunk of it).
 * @example
 * index.add({ id: "faq#0", group: "faq.md", fields: { heading: "Refunds", text: "…" } });
 */
export interface SearchDocument {
  /** Unique id. Adding an id that is already indexed replaces the old entry. */
  id: string;
  /** The source the unit belongs to (a knowledge file path); see `removeGroup`. */
  group?: string;
  /** Named text fields, e.g. `{ heading, text }`. Field names are weighted by `fieldWeights`. */
  fields: Readonly<Record<string, string>>;
}

/**
 * Scoring and tokenization options. Every one is stored with the index.
 * @example
 * new Bm25Index({ k1: 1.2, b: 0.75, fieldWeights: { heading: 3 }, groupWeight: 0 })
 */
export interface Bm25Options {
  /** Term-frequency saturation. Default 1.2. */
  k1?: number;
  /** Length normalisation for fields not named in `fieldB`, 0–1. Default 0.75. */
  b?: number;
  /** Per-field weight in the BM25F pseudo-frequency. Default `{ heading: 2 }`; others weigh 1. */
  fieldWeights?: Readonly<Record<string, number>>;
  /** Per-field length normalisation overriding `b`. Default `{}`. */
  fieldB?: Readonly<Record<string, number>>;
  /**
   * Share of a unit's score taken from its whole group (all chunks of the source scored as one
   * document), 0–1. Lets a chunk rank by its source's overall match as well as its own. Default 0.5.
   */
  groupWeight?: number;
  /** `"english"` (Porter2, the default) or `"none"`. */
  stemmer?: Stemmer;
  /** `"english"` (the default), `"none"` or your own list. */
  stopwords?: "english" | "none" | readonly string[];
}

/**
 * The options with every default filled in, as stored.
 * @example
 * new Bm25Index().options.k1 // 1.2
 */
export interface ResolvedBm25Options {
  k1: number;
  b: number;
  fieldWeights: Record<string, number>;
  fieldB: Record<string, number>;
  groupWeight: number;
  stemmer: Stemmer;
  stopwords: "english" | "none" | string[];
}

/**
 * Options of one search.
 * @example
 * index.search("refund", { k: 5, filter: (id) => id.startsWith("faq"), collapseGroups: true })
 */
export interface SearchOptions {
  /** How many hits at most. Default 10. */
  k?: number;
  /** Keeps only the ids for which it returns true (called on candidates, not on every unit). */
  filter?: (id: string) => boolean;
  /** Returns only the best unit of each group (ungrouped units are their own group). */
  collapseGroups?: boolean;
}

/**
 * One search result.
 * @example
 * const [best]: SearchHit[] = index.search("refund");
 */
export interface SearchHit {
  id: string;
  score: number;
}

/**
 * The stored form of an index: plain JSON, compact (varint + base64 for the numeric parts).
 * @example
 * const stored: Bm25IndexJson = index.toJSON();
 */
export interface Bm25IndexJson {
  format: "botknobs.bm25";
  version: 1;
  options: ResolvedBm25Options;
  /** Field names, in field-number order. */
  fields: string[];
  /** Unit ids, in unit-number order. */
  ids: string[];
  /** Group names, in group-number order. */
  groups: string[];
  /** Base64 varints: per unit, its group number + 1, or 0 when it has none. */
  unitGroups: string;
  /** Base64 varints: per field, per unit, the field length in terms. */
  lengths: string;
  /** Terms, sorted, joined by `\n`. */
  terms: string;
  /** Base64 varints: per term (in `terms` order), the entry count, then each entry's unit gap. */
  postings: string;
  /** Base64 varints: per entry, in the same order, `tf · 32 + field number`. */
  frequencies: string;
}
