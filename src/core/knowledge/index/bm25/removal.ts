/**
 * Removal: units are tombstoned (every statistic updated at once, so scores never see them), and
 * swept by {@link compact} once removed units hold a quarter of the posting entries.
 * @module
 */
import {
  addLength,
  createState,
  fieldNumber,
  groupIndex,
  type IndexState,
  openGroup,
  openUnit,
  termNumber,
  unitIndex,
} from "./state.ts";

// Sweep tombstones once they hold this share of all posting entries.
const COMPACT_RATIO = 0.25;

/**
 * The forward index, derived from the posting lists if it is not there yet.
 * @example
 * forwardIndex(s)[u] // the distinct term numbers of unit u
 */
export function forwardIndex(s: IndexState): (Uint32Array | null)[] {
  if (s.unitTerms !== null) return s.unitTerms;
  const lists: number[][] = Array.from({ length: s.ids.length }, () => []);
  for (let t = 0; t < s.terms.length; t++) {
    let last = -1;
    s.postings.forEach(t, (unit) => {
      if (unit !== last) (lists[unit] as number[]).push(t);
      last = unit;
    });
  }
  const unitTerms = lists.map((terms, u) => (s.alive[u] ? Uint32Array.from(terms) : null));
  s.unitTerms = unitTerms;
  return unitTerms;
}

/**
 * Tombstones unit `u`, keeping every statistic as if it had never been added.
 * @example
 * removeUnit(s, unitIndex(s).get("faq#0") ?? -1);
 */
export function removeUnit(s: IndexState, u: number): void {
  if (!s.alive[u]) return;
  const unitTerms = forwardIndex(s); // before the tombstone: it skips dead units
  s.alive[u] = 0;
  unitIndex(s).delete(s.ids[u] as string);
  s.aliveUnits--;
  for (const t of unitTerms[u] ?? []) s.df[t] = (s.df[t] as number) - 1;
  unitTerms[u] = null;
  s.deadEntries += s.unitEntries[u] as number;
  const g = s.unitGroup[u] as number;
  for (let f = 0; f < s.fields.length; f++) {
    const length = (s.lengths[f] as Uint32Array)[u] as number;
    s.lengthSum[f] = (s.lengthSum[f] as number) - length;
    const groupLengths = s.groupLengths[f] as Float64Array;
    groupLengths[g] = (groupLengths[g] as number) - length;
  }
  s.groupSize[g] = (s.groupSize[g] as number) - 1;
  const name = s.groupNames[g];
  if (name != null) groupIndex(s).get(name)?.delete(u);
  if (s.groupSize[g] === 0) {
    s.aliveGroups--;
    if (name != null) {
      s.groupOf.delete(name);
      groupIndex(s).delete(name);
    }
  }
  s.version++;
}

/**
 * Sweeps tombstones when they hold enough of the postings to be worth it.
 * @example
 * removeUnit(s, u); maybeCompact(s);
 */
export function maybeCompact(s: IndexState): void {
  if (s.deadEntries > 0 && s.deadEntries >= s.entries * COMPACT_RATIO) compact(s);
}

/**
 * Drops removed units and unused terms and groups, renumbering what is left in the same order
 * (so search results, including tie order, are unchanged).
 * @example
 * compact(s); s.ids.length === s.aliveUnits // true
 */
export function compact(s: IndexState): void {
  const next = createState(s.options);
  for (const name of s.fields) fieldNumber(next, name);
  const unitMap = new Int32Array(s.ids.length).fill(-1);
  const groupMap = new Int32Array(s.groupNames.length).fill(-1);
  for (let u = 0; u < s.ids.length; u++) {
    if (!s.alive[u]) continue;
    const oldGroup = s.unitGroup[u] as number;
    let g = groupMap[oldGroup] as number;
    if (g < 0) {
      g = openGroup(next, s.groupNames[oldGroup] ?? null);
      groupMap[oldGroup] = g;
    }
    const nu = openUnit(next, s.ids[u] as string, g);
    unitMap[u] = nu;
    for (let f = 0; f < s.fields.length; f++) {
      addLength(next, nu, f, (s.lengths[f] as Uint32Array)[u] as number);
    }
  }
  for (let t = 0; t < s.terms.length; t++) {
    if (s.df[t] === 0) continue;
    const nt = termNumber(next, s.terms[t] as string);
    next.df[nt] = s.df[t] as number;
    s.postings.forEach(t, (unit, packed) => {
      const nu = unitMap[unit] as number;
      if (nu < 0) return;
      next.postings.push(nt, nu, packed);
      next.unitEntries[nu] = (next.unitEntries[nu] as number) + 1;
    });
  }
  next.entries = s.entries - s.deadEntries;
  next.unitTerms = null;
  next.version = s.version + 1;
  Object.assign(s, next);
}
