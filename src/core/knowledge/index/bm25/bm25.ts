/**
 * An incremental, serialisable BM25F index for knowledge-base search.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../../../errors.ts";
import { type Bm25Columns, columnsOf, stateFromColumns } from "./columns.ts";
import { stateFromJson, stateToJson } from "./json.ts";
import { resolveBm25Options } from "./options.ts";
import { grow, nearFull } from "./postings.ts";
import { compact, maybeCompact, removeUnit } from "./removal.ts";
import { Scorer } from "./scorer.ts";
import {
  addLength,
  createState,
  fieldNumber,
  groupIndex,
  growAhead,
  type IndexState,
  openGroup,
  openUnit,
  pushEntry,
  termNumber,
  unitIndex,
} from "./state.ts";
import {
  createTokenizer,
  createWordAnalyzer,
  normalizeText,
  type Tokenizer,
  type WordAnalyzer,
} from "./tokenize.ts";
import type {
  Bm25IndexJson,
  Bm25Options,
  ResolvedBm25Options,
  SearchDocument,
  SearchHit,
  SearchOptions,
} from "./types.ts";
import { countWords, TermCounts } from "./word-table.ts";

// Distinct words whose term numbers are remembered (a fresh start once this many).
const WORD_CACHE_LIMIT = 1 << 20;

function checkDocument(doc: SearchDocument): void {
  const issues: ValidationIssue[] = [];
  const d = doc as Partial<SearchDocument> | null;
  if (typeof d !== "object" || d === null) {
    throw new ValidationError("Invalid search document: not an object", [
      { path: [], message: "must be an object" },
    ]);
  }
  if (typeof d.id !== "string" || d.id === "") {
    issues.push({ path: ["id"], message: "must be a non-empty string" });
  }
  if (d.group !== undefined && typeof d.group !== "string") {
    issues.push({ path: ["group"], message: "must be a string" });
  }
  if (typeof d.fields !== "object" || d.fields === null) {
    issues.push({ path: ["fields"], message: "must be an object of strings" });
  } else {
    for (const [name, text] of Object.entries(d.fields)) {
      if (typeof text !== "string")
        issues.push({ path: ["fields", name], message: "not a string" });
    }
  }
  if (issues.length > 0) {
    const where = issues.map((i) => i.path.join(".")).join(", ");
    throw new ValidationError(`Invalid search document ${JSON.stringify(d.id)}: ${where}`, issues);
  }
}

/**
 * A BM25F index over units of text (whole documents or chunks), each with named fields and an
 * optional group (its source). Add, replace and remove units at any time; `toJSON`/`fromJSON`
 * persist it with identical search results.
 * @example
 * const index = new Bm25Index({ fieldWeights: { heading: 2 } });
 * index.add({ id: "faq#1", group: "faq.md", fields: { heading: "Refunds", text: "Refunds take 5 days." } });
 * index.search("refund", { k: 5 }); // [{ id: "faq#1", score: 1.4… }]
 */
export class Bm25Index {
  #s: IndexState;
  readonly #tokenize: Tokenizer;
  readonly #scorer: Scorer = new Scorer();
  readonly #analyze: WordAnalyzer;
  // Scratch for add(): the counts of the field being added, and per term the stamp of the last
  // add that counted it in its df.
  readonly #counts: TermCounts = new TermCounts();
  #seen: Uint32Array = new Uint32Array(1024);
  #stamp = 0;

  constructor(options: Bm25Options = {}) {
    this.#s = createState(resolveBm25Options(options));
    this.#tokenize = createTokenizer(this.#s.options);
    this.#analyze = createWordAnalyzer(this.#s.options);
  }

  /** The options in force, defaults filled in. */
  get options(): ResolvedBm25Options {
    return structuredClone(this.#s.options);
  }

  /** How many units are indexed. */
  get size(): number {
    return this.#s.aliveUnits;
  }

  /** Whether a unit with this id is indexed. */
  has(id: string): boolean {
    return unitIndex(this.#s).has(id);
  }

  /**
   * Indexes one unit; an existing unit with the same id is replaced. Throws
   * {@link ValidationError} for a malformed document.
   */
  add(doc: SearchDocument): void {
    checkDocument(doc);
    const s = this.#s;
    // Fields in field-number order, so a unit's entries are laid out the same way every time.
    // (Registered before anything is removed: too many fields throws with the index unchanged.)
    const fields = Object.keys(doc.fields)
      .map((name) => ({ name, f: fieldNumber(s, name) }))
      .sort((a, b) => a.f - b.f);
    const existing = unitIndex(s).get(doc.id);
    if (existing !== undefined) removeUnit(s, existing);
    const g =
      doc.group === undefined
        ? openGroup(s, null)
        : (s.groupOf.get(doc.group) ?? openGroup(s, doc.group));
    const u = openUnit(s, doc.id, g);
    const unitTerms: number[] = [];
    let entries = 0;
    // A fresh stamp per add marks the terms this unit has already counted in its df.
    if (this.#stamp === 0xffffffff) {
      this.#seen.fill(0);
      this.#stamp = 0;
    }
    const stamp = ++this.#stamp;
    const counts = this.#counts;
    for (const { name, f } of fields) {
      countWords(s.words, normalizeText(doc.fields[name] as string), counts, this.#resolve);
      addLength(s, u, f, counts.length);
      const { tf, distinct } = counts;
      for (let i = 0; i < counts.size; i++) {
        const t = distinct[i] as number;
        pushEntry(s, t, u, f, tf[t] as number);
        entries++;
        if (this.#seen[t] !== stamp) {
          this.#seen[t] = stamp;
          unitTerms.push(t);
          s.df[t] = (s.df[t] as number) + 1;
        }
      }
      counts.clear();
    }
    if (s.unitTerms !== null) s.unitTerms[u] = Uint32Array.from(unitTerms);
    s.unitEntries[u] = entries;
    s.entries += entries;
    if (existing !== undefined) maybeCompact(s);
  }

  // Analyses a word seen for the first time and caches its term numbers.
  readonly #resolve = (word: string, hash: number): number => {
    const s = this.#s;
    if (s.words.size >= WORD_CACHE_LIMIT) s.words.clear();
    const terms: string[] = [];
    this.#analyze(word, terms);
    const e = s.words.insert(
      word,
      hash,
      terms.map((t) => termNumber(s, t)),
    );
    this.#counts.reserve(s.terms.length);
    this.#seen = grow(this.#seen, s.terms.length);
    return e;
  };

  /**
   * Grows, ahead of need, at most one of the arrays the index keeps per unit or per term, and
   * says whether it did. They all double at the same sizes, so grown only as units and terms
   * come their copies land in one step, a long pause at half a million units; an indexing loop
   * that can wait calls this between batches, a turn apart while it returns true.
   * @example
   * while (index.growAhead()) await nextTurn();
   */
  growAhead(): boolean {
    const s = this.#s;
    if (growAhead(s)) return true;
    const terms = s.terms.length;
    if (nearFull(this.#seen.length, terms)) this.#seen = grow(this.#seen, this.#seen.length + 1);
    else if (nearFull(this.#counts.tf.length, terms))
      this.#counts.reserve(this.#counts.tf.length + 1);
    else return false;
    return true;
  }

  /** Indexes many units (see {@link Bm25Index.add}). */
  addAll(docs: Iterable<SearchDocument>): void {
    for (const doc of docs) this.add(doc);
  }

  /** Removes one unit; false if it was not indexed. */
  remove(id: string): boolean {
    const u = unitIndex(this.#s).get(id);
    if (u === undefined) return false;
    removeUnit(this.#s, u);
    maybeCompact(this.#s);
    return true;
  }

  /** Removes every unit of a group (a re-ingested file's old chunks); returns how many. */
  removeGroup(group: string): number {
    const members = groupIndex(this.#s).get(group);
    if (members === undefined) return 0;
    const units = [...members];
    for (const u of units) removeUnit(this.#s, u);
    maybeCompact(this.#s);
    return units.length;
  }

  /** Reclaims the space of removed units now (it also happens on its own as removals pile up). */
  compact(): void {
    compact(this.#s);
  }

  /**
   * The best units for `query`, best first; ties go to the smaller id. An empty query, or one
   * made only of stopwords, finds nothing.
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0) {
      throw new ValidationError("Invalid search options: k", [
        { path: ["k"], message: "must be a non-negative integer" },
      ]);
    }
    return this.#scorer.search(this.#s, {
      terms: this.#tokenize(query),
      k,
      filter: options.filter,
      collapseGroups: options.collapseGroups ?? false,
    });
  }

  /** A plain JSON-serialisable snapshot (compacts removed units first). */
  toJSON(): Bm25IndexJson {
    return stateToJson(this.#s);
  }

  /** The index as typed-array columns (what a binary container stores raw; see `columns.ts`). */
  toColumns(): Bm25Columns {
    return columnsOf(this.#s);
  }

  /** Loads {@link Bm25Index.toColumns} output with bulk copies; `ValidationError` if malformed. */
  static fromColumns(columns: Bm25Columns): Bm25Index {
    const state = stateFromColumns(columns);
    const index = new Bm25Index(state.options);
    index.#s = state;
    return index;
  }

  /**
   * Loads a snapshot made by {@link Bm25Index.toJSON}; throws {@link ValidationError} if malformed.
   * @example
   * const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(index)));
   */
  static fromJSON(data: unknown): Bm25Index {
    const state = stateFromJson(data);
    const index = new Bm25Index(state.options);
    index.#s = state;
    return index;
  }
}
