/**
 * The mutable storage of a BM25 index: units (documents or chunks), fields, groups and an inverted
 * index (posting lists in a {@link PostingPool}), plus a forward index (the terms of each unit)
 * so that removal can keep document frequencies exact.
 *
 * A posting entry is two `Uint32` words: the unit number and `tf << 5 | field`. The entries of
 * one unit are adjacent (all its fields), and units appear in increasing number.
 * Removal (tombstones and compaction) is in `removal.ts`.
 * @module
 */
import { ValidationError } from "../../../errors.ts";
import { ShardedMap, ShardedSet } from "../../../util/sharded-map.ts";
import { grow, nearFull, PostingPool } from "./postings.ts";
import type { ResolvedBm25Options } from "./types.ts";
import { WordTable } from "./word-table.ts";

/**
 * At most this many distinct field names per index (the field number takes 5 bits).
 * @example
 * fieldNumber(state, "heading") // < MAX_FIELDS
 */
export const MAX_FIELDS = 32;
const FIELD_BITS = 5;

/**
 * Everything an index holds. Internal: use `Bm25Index`.
 * @example
 * const s: IndexState = createState(resolveBm25Options());
 */
export interface IndexState {
  options: ResolvedBm25Options;
  /** Unit ids by unit number (removed units keep theirs until compaction). */
  ids: string[];
  /** Id → unit number; null until first needed (a loaded index builds it on its first change). */
  unitOf: ShardedMap<string, number> | null;
  alive: Uint8Array;
  unitGroup: Int32Array;
  /**
   * The forward index: distinct term numbers of each alive unit (null once removed). Only removal
   * needs it, so a loaded or compacted index leaves it null until then ({@link forwardIndex}).
   */
  unitTerms: (Uint32Array | null)[] | null;
  unitEntries: Uint32Array;
  aliveUnits: number;
  fields: string[];
  fieldOf: Map<string, number>;
  /** Per field, per unit: the number of terms. */
  lengths: Uint32Array[];
  /** Per field: the total length over alive units. */
  lengthSum: number[];
  /** Group names by group number (null for a unit without a group). */
  groupNames: (string | null)[];
  groupOf: Map<string, number>;
  /** Group name → its units; null until first needed (see {@link groupIndex}). */
  groupMembers: Map<string, ShardedSet<number>> | null;
  /** Per group: how many alive units it has. */
  groupSize: Uint32Array;
  /** Per field, per group: the total length of its alive units. */
  groupLengths: Float64Array[];
  aliveGroups: number;
  terms: string[];
  termOf: ShardedMap<string, number>;
  df: Uint32Array;
  postings: PostingPool;
  entries: number;
  deadEntries: number;
  /** Bumped on every change: cached norms are recomputed when it moves. */
  version: number;
  /** Word → its term number(s), so each distinct word is analysed once (reset by compaction). */
  words: WordTable;
}

/**
 * An empty state.
 * @example
 * const s = createState(resolveBm25Options());
 */
export function createState(options: ResolvedBm25Options): IndexState {
  return {
    options,
    ids: [],
    unitOf: new ShardedMap(),
    alive: new Uint8Array(64),
    unitGroup: new Int32Array(64),
    unitTerms: [],
    unitEntries: new Uint32Array(64),
    aliveUnits: 0,
    fields: [],
    fieldOf: new Map(),
    lengths: [],
    lengthSum: [],
    groupNames: [],
    groupOf: new Map(),
    groupMembers: new Map(),
    groupSize: new Uint32Array(64),
    groupLengths: [],
    aliveGroups: 0,
    terms: [],
    termOf: new ShardedMap(),
    df: new Uint32Array(1024),
    postings: new PostingPool(),
    entries: 0,
    deadEntries: 0,
    version: 0,
    words: new WordTable(),
  };
}

/**
 * Grows, ahead of need, at most one of the arrays kept per unit or per term, and says whether it
 * did. They all double at the same counts: grown as units and terms come, their copies land in
 * one step (tens of megabytes written at once, a long pause, at half a million chunks). An
 * indexing loop that can wait calls this between batches, a turn apart while it returns true, so
 * each copy is a step of its own and `openUnit`/`termNumber` seldom grow anything.
 * @example
 * while (growAhead(s)) await nextTurn();
 */
export function growAhead(s: IndexState): boolean {
  const units = s.ids.length;
  const terms = s.terms.length;
  if (nearFull(s.alive.length, units)) s.alive = grow(s.alive, s.alive.length + 1);
  else if (nearFull(s.unitGroup.length, units))
    s.unitGroup = grow(s.unitGroup, s.unitGroup.length + 1);
  else if (nearFull(s.unitEntries.length, units))
    s.unitEntries = grow(s.unitEntries, s.unitEntries.length + 1);
  else {
    const f = s.lengths.findIndex((l) => nearFull(l.length, units));
    const lengths = s.lengths[f];
    if (lengths) s.lengths[f] = grow(lengths, lengths.length + 1);
    else if (nearFull(s.df.length, terms)) s.df = grow(s.df, s.df.length + 1);
    else return s.postings.growAhead(terms);
  }
  return true;
}

/**
 * Id → unit number of the alive units, built on first use (searching never needs it).
 * @example
 * unitIndex(s).get("faq#0")
 */
export function unitIndex(s: IndexState): ShardedMap<string, number> {
  if (s.unitOf === null) {
    const map = new ShardedMap<string, number>();
    for (let u = 0; u < s.ids.length; u++) if (s.alive[u]) map.set(s.ids[u] as string, u);
    s.unitOf = map;
  }
  return s.unitOf;
}

/**
 * Group name → its alive units, built on first use.
 * @example
 * groupIndex(s).get("faq.md")
 */
export function groupIndex(s: IndexState): Map<string, ShardedSet<number>> {
  if (s.groupMembers === null) {
    const map = new Map<string, ShardedSet<number>>();
    for (const name of s.groupOf.keys()) map.set(name, new ShardedSet());
    for (let u = 0; u < s.ids.length; u++) {
      if (!s.alive[u]) continue;
      const name = s.groupNames[s.unitGroup[u] as number];
      if (name != null) map.get(name)?.add(u);
    }
    s.groupMembers = map;
  }
  return s.groupMembers;
}

/**
 * The field number of `name`, registering it on first sight.
 * @example
 * fieldNumber(s, "heading") // 0 on a new state
 */
export function fieldNumber(s: IndexState, name: string): number {
  let f = s.fieldOf.get(name);
  if (f === undefined) {
    if (s.fields.length >= MAX_FIELDS) {
      throw new ValidationError(
        `Too many fields: ${JSON.stringify(name)} would be field ${MAX_FIELDS + 1}`,
        [
          {
            path: ["fields", name],
            message: `at most ${MAX_FIELDS} distinct field names per index`,
          },
        ],
      );
    }
    f = s.fields.length;
    s.fields.push(name);
    s.fieldOf.set(name, f);
    s.lengths.push(new Uint32Array(s.alive.length));
    s.lengthSum.push(0);
    s.groupLengths.push(new Float64Array(s.groupSize.length));
  }
  return f;
}

/**
 * The term number of `term`, registering it on first sight.
 * @example
 * termNumber(s, "solar") // 0 on a new state
 */
export function termNumber(s: IndexState, term: string): number {
  let t = s.termOf.get(term);
  if (t === undefined) {
    t = s.terms.length;
    s.terms.push(term);
    s.termOf.set(term, t);
    s.df = grow(s.df, t + 1);
    s.postings.reserve(t + 1);
  }
  return t;
}

/**
 * A new group number for `name` (null: a unit without a group is a group of its own).
 * @example
 * const g = openGroup(s, "faq.md");
 */
export function openGroup(s: IndexState, name: string | null): number {
  const g = s.groupNames.length;
  s.groupNames.push(name);
  s.groupSize = grow(s.groupSize, g + 1);
  for (let f = 0; f < s.fields.length; f++) {
    s.groupLengths[f] = grow(s.groupLengths[f] as Float64Array, g + 1);
  }
  if (name !== null) {
    s.groupOf.set(name, g);
    groupIndex(s).set(name, new ShardedSet());
  }
  return g;
}

/**
 * Appends one entry to the posting list of term `t`.
 * @example
 * pushEntry(s, termNumber(s, "solar"), u, fieldNumber(s, "text"), 2);
 */
export function pushEntry(s: IndexState, t: number, unit: number, field: number, tf: number): void {
  s.postings.push(t, unit, (tf << FIELD_BITS) | field);
}

/**
 * Registers a new unit number for `id` in group `g`; its terms are added by the caller.
 * @example
 * const u = openUnit(s, "faq#0", openGroup(s, "faq.md"));
 */
export function openUnit(s: IndexState, id: string, g: number): number {
  const u = s.ids.length;
  s.ids.push(id);
  unitIndex(s).set(id, u);
  s.alive = grow(s.alive, u + 1);
  s.alive[u] = 1;
  s.unitGroup = grow(s.unitGroup, u + 1);
  s.unitGroup[u] = g;
  s.unitEntries = grow(s.unitEntries, u + 1);
  for (let f = 0; f < s.fields.length; f++) s.lengths[f] = grow(s.lengths[f] as Uint32Array, u + 1);
  s.unitTerms?.push(null);
  s.aliveUnits++;
  if ((s.groupSize[g] as number) === 0) s.aliveGroups++;
  s.groupSize[g] = (s.groupSize[g] as number) + 1;
  const name = s.groupNames[g];
  if (name != null) groupIndex(s).get(name)?.add(u);
  s.version++;
  return u;
}

/**
 * Adds a unit's field lengths to the field and group totals.
 * @example
 * addLength(s, u, fieldNumber(s, "text"), 42);
 */
export function addLength(s: IndexState, u: number, f: number, length: number): void {
  const lengths = s.lengths[f] as Uint32Array;
  lengths[u] = length;
  s.lengthSum[f] = (s.lengthSum[f] as number) + length;
  const g = s.unitGroup[u] as number;
  const groupLengths = s.groupLengths[f] as Float64Array;
  groupLengths[g] = (groupLengths[g] as number) + length;
}
