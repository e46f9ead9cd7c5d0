/**
 * The column form of a BM25 state: its numbers as typed arrays (posting entries as 16-bit pairs
 * when they fit), which a binary container stores raw and a new process loads with bulk copies —
 * no per-entry decoding, so a cold process loads a large index in a few milliseconds of work per
 * million entries. The JSON form (`json.ts`) packs the same data as varints instead.
 * @module
 */
import { ValidationError } from "../../../errors.ts";
import { ShardedMap } from "../../../util/sharded-map.ts";
import { resolveBm25Options } from "./options.ts";
import { PostingPool } from "./postings.ts";
import { compact } from "./removal.ts";
import { createState, fieldNumber, type IndexState } from "./state.ts";
import type { Bm25Options, ResolvedBm25Options } from "./types.ts";

/** A state as columns. Units and groups are numbered as in `ids` and `groups`. */
export interface Bm25Columns {
  options: ResolvedBm25Options;
  fields: string[];
  ids: string[];
  /** Group names (null: the group of one unit that has none). */
  groups: (string | null)[];
  /** Per unit: its group number. */
  unitGroups: Uint32Array;
  /** Per field, per unit: the field's length in terms. */
  lengths: Uint32Array[];
  /** Terms in posting order. */
  terms: string[];
  /** Per term: how many posting entries it has. */
  counts: Uint32Array;
  /** Per term: in how many units it occurs. */
  df: Uint32Array;
  /** Every term's entries in term order, each a pair `unit, tf << 5 | field`. */
  entries: Uint16Array | Uint32Array;
  /**
   * Per unit: its number of entries. Given, the entries are taken as they are (the container
   * vouches for them, e.g. by a checksum); absent, they are counted and range-checked.
   */
  unitEntries?: Uint32Array;
}

function invalid(message: string): ValidationError {
  return new ValidationError(`Invalid BM25 columns: ${message}`, [{ path: [], message }]);
}

/**
 * The columns of `s` (compacted first, so every unit and group is alive and numbered densely).
 * @example
 * const columns = columnsOf(state);
 */
export function columnsOf(s: IndexState): Bm25Columns {
  if (s.aliveUnits < s.ids.length || s.aliveGroups < s.groupNames.length) compact(s);
  const units = s.ids.length;
  const order: number[] = [];
  for (let t = 0; t < s.terms.length; t++) if ((s.df[t] as number) > 0) order.push(t);
  const counts = new Uint32Array(order.length);
  const df = new Uint32Array(order.length);
  let total = 0;
  let wide = units > 0xffff;
  for (const [i, t] of order.entries()) {
    counts[i] = s.postings.count[t] as number;
    df[i] = s.df[t] as number;
    total += counts[i] as number;
  }
  const pairs = new Uint32Array(total * 2);
  let at = 0;
  for (const t of order) {
    s.postings.forEach(t, (unit, packed) => {
      pairs[at++] = unit;
      pairs[at++] = packed;
      if (packed > 0xffff) wide = true;
    });
  }
  return {
    options: structuredClone(s.options),
    fields: [...s.fields],
    ids: [...s.ids],
    groups: [...s.groupNames],
    unitGroups: Uint32Array.from(s.unitGroup.subarray(0, units)),
    lengths: s.lengths.map((l) => l.slice(0, units)),
    terms: order.map((t) => s.terms[t] as string),
    counts,
    df,
    entries: wide ? pairs : Uint16Array.from(pairs),
    unitEntries: s.unitEntries.slice(0, units),
  };
}

/**
 * Rebuilds a state from columns with bulk copies; throws {@link ValidationError} if they do not
 * fit together.
 * @example
 * const state = stateFromColumns(columnsOf(state));
 */
export function stateFromColumns(c: Bm25Columns): IndexState {
  const s = createState(resolveBm25Options(c.options as Bm25Options));
  const units = c.ids.length;
  const groups = c.groups.length;
  if (c.unitGroups.length !== units) throw invalid("unitGroups do not match the units");
  if (c.lengths.length !== c.fields.length || c.lengths.some((l) => l.length !== units))
    throw invalid("lengths do not match the fields and units");
  if (c.counts.length !== c.terms.length || c.df.length !== c.terms.length)
    throw invalid("counts and df do not match the terms");
  for (const name of c.fields) fieldNumber(s, name);
  // Units.
  s.ids = c.ids;
  s.unitOf = null; // built on the first change: a search never needs it
  s.alive = new Uint8Array(units).fill(1);
  s.aliveUnits = units;
  s.unitGroup = Int32Array.from(c.unitGroups);
  s.unitTerms = null;
  s.lengths = c.lengths.map((l) => Uint32Array.from(l));
  s.lengthSum = s.lengths.map((l) => l.reduce((a, b) => a + b, 0));
  // Groups, with their sizes and lengths.
  s.groupNames = c.groups;
  s.groupSize = new Uint32Array(groups);
  s.groupLengths = c.fields.map(() => new Float64Array(groups));
  for (let u = 0; u < units; u++) {
    const g = c.unitGroups[u] as number;
    if (g >= groups) throw invalid(`unit ${u} names group ${g}`);
    s.groupSize[g] = (s.groupSize[g] as number) + 1;
    for (let f = 0; f < c.fields.length; f++) {
      const sums = s.groupLengths[f] as Float64Array;
      sums[g] = (sums[g] as number) + ((s.lengths[f] as Uint32Array)[u] as number);
    }
  }
  s.groupOf = new Map();
  s.groupMembers = null; // built on the first change
  for (let g = 0; g < groups; g++) {
    const name = c.groups[g] ?? null;
    if (name !== null) s.groupOf.set(name, g);
    if ((s.groupSize[g] as number) > 0) s.aliveGroups++;
  }
  // Terms and postings.
  s.terms = c.terms;
  s.termOf = new ShardedMap();
  for (let t = 0; t < c.terms.length; t++) s.termOf.set(c.terms[t] as string, t);
  if (s.termOf.size !== c.terms.length) throw invalid("a term appears twice");
  s.df = Uint32Array.from(c.df);
  s.postings = PostingPool.fromLists(c.counts, c.entries);
  const e = c.entries;
  s.entries = e.length >> 1;
  if (c.unitEntries) {
    if (c.unitEntries.length !== units) throw invalid("unitEntries do not match the units");
    s.unitEntries = Uint32Array.from(c.unitEntries);
    return s;
  }
  s.unitEntries = new Uint32Array(units);
  const fields = c.fields.length;
  for (let i = 0; i < e.length; i += 2) {
    const unit = e[i] as number;
    const packed = e[i + 1] as number;
    if (unit >= units || packed >>> 5 === 0 || (packed & 31) >= fields)
      throw invalid(`posting entry ${i >> 1} is out of range`);
    s.unitEntries[unit] = (s.unitEntries[unit] as number) + 1;
  }
  return s;
}
