/**
 * BM25F scoring, term at a time, into a dense accumulator that is reused between queries.
 *
 * For a unit u and query term t:
 *   x = Σ_f w_f · tf_f / (1 − b_f + b_f · len_f(u) / avglen_f)     (BM25F pseudo-frequency)
 *   score += idf(t) · (k1 + 1) · x / (k1 + x),   idf = ln(1 + (N − df + 0.5) / (df + 0.5))
 * With `groupWeight` α > 0 and multi-unit groups, the same formula is computed for each group as
 * if its units were one document (group lengths, group df, number of groups), and a unit scores
 * (1 − α) · unit + α · group. The per-unit and per-group length factors are cached per index
 * version, so a query does no work proportional to the collection beyond its postings.
 * @module
 */
import { offsetOf, pageOf } from "./postings.ts";
import type { IndexState } from "./state.ts";
import { TopK } from "./top-k.ts";
import type { SearchHit } from "./types.ts";

/**
 * What one search asks for, once the query is tokenized.
 * @example
 * scorer.search(state, { terms: ["solar"], k: 10, filter: undefined, collapseGroups: false })
 */
export interface ScoreRequest {
  terms: readonly string[];
  k: number;
  filter: ((id: string) => boolean) | undefined;
  collapseGroups: boolean;
}

function lengthFactors(
  lengths: readonly Float64Array[] | readonly Uint32Array[],
  sums: readonly number[],
  count: number,
  size: number,
  weight: (f: number) => number,
  b: (f: number) => number,
): Float64Array[] {
  return lengths.map((perUnit, f) => {
    const out = new Float64Array(size);
    const avg = count > 0 ? (sums[f] as number) / count : 0;
    const w = weight(f);
    const bf = b(f);
    for (let i = 0; i < size; i++) {
      out[i] = avg > 0 ? w / (1 - bf + (bf * (perUnit[i] as number)) / avg) : w;
    }
    return out;
  });
}

/**
 * Scores queries against one index state; holds the caches and scratch buffers.
 * @example
 * new Scorer().search(state, { terms: tokenize("solar panels"), k: 5, filter: undefined, collapseGroups: false })
 */
export class Scorer {
  #version = -1;
  #unitFactors: Float64Array[] = [];
  #groupFactors: Float64Array[] = [];
  #acc: Float64Array = new Float64Array(0);
  #touched: Uint32Array = new Uint32Array(0);
  #groupAcc: Float64Array = new Float64Array(0);
  #groupTf: Float64Array = new Float64Array(0);
  #groupStamp: Uint32Array = new Uint32Array(0);
  #groupsOfTerm: Uint32Array = new Uint32Array(0);
  #groupsTouched: Uint32Array = new Uint32Array(0);
  #bestUnit: Int32Array = new Int32Array(0);
  #stamp = 0;
  #topK: TopK = new TopK();

  #refresh(s: IndexState): void {
    if (this.#version === s.version) return;
    const o = s.options;
    // Own properties only: a field named "constructor" must not find Object.prototype's.
    const pick = (table: Record<string, number>, f: number, fallback: number): number => {
      const name = s.fields[f] as string;
      return Object.hasOwn(table, name) ? (table[name] as number) : fallback;
    };
    const weight = (f: number): number => pick(o.fieldWeights, f, 1);
    const b = (f: number): number => pick(o.fieldB, f, o.b);
    const units = s.ids.length;
    const groups = s.groupNames.length;
    this.#unitFactors = lengthFactors(s.lengths, s.lengthSum, s.aliveUnits, units, weight, b);
    this.#groupFactors = lengthFactors(
      s.groupLengths,
      s.lengthSum,
      s.aliveGroups,
      groups,
      weight,
      b,
    );
    if (this.#acc.length < units) {
      this.#acc = new Float64Array(units);
      this.#touched = new Uint32Array(units);
    }
    if (this.#groupAcc.length < groups) {
      this.#groupAcc = new Float64Array(groups);
      this.#groupTf = new Float64Array(groups);
      this.#groupStamp = new Uint32Array(groups);
      this.#groupsOfTerm = new Uint32Array(groups);
      this.#groupsTouched = new Uint32Array(groups);
      this.#bestUnit = new Int32Array(groups).fill(-1);
    }
    this.#version = s.version;
  }

  // Counters of the query being scored.
  #nTouched = 0;
  #nGroupsTouched = 0;
  #nGroupsOfTerm = 0;

  /** The best `k` units for the query terms. */
  search(s: IndexState, request: ScoreRequest): SearchHit[] {
    if (s.aliveUnits === 0 || request.k <= 0 || request.terms.length === 0) return [];
    this.#refresh(s);
    const { k1, groupWeight } = s.options;
    // Group evidence only changes anything when some group has more than one unit.
    const useGroups = groupWeight > 0 && s.aliveGroups < s.aliveUnits;
    const queryTf = new Map<string, number>();
    for (const term of request.terms) queryTf.set(term, (queryTf.get(term) ?? 0) + 1);
    this.#nTouched = 0;
    this.#nGroupsTouched = 0;
    for (const [term, qtf] of queryTf) {
      const t = s.termOf.get(term);
      if (t === undefined) continue;
      const df = s.df[t] as number;
      if (df === 0) continue;
      const idf = Math.log(1 + (s.aliveUnits - df + 0.5) / (df + 0.5));
      this.#scoreTerm(s, t, idf * (k1 + 1) * qtf, useGroups);
      if (useGroups) this.#scoreGroups(s, (k1 + 1) * qtf);
    }
    try {
      return this.#select(s, request, this.#nTouched, useGroups);
    } finally {
      // Reset the accumulators even when the caller's filter throws, or the next query inherits.
      for (let j = 0; j < this.#nTouched; j++) this.#acc[this.#touched[j] as number] = 0;
      for (let j = 0; j < this.#nGroupsTouched; j++) {
        this.#groupAcc[this.#groupsTouched[j] as number] = 0;
      }
    }
  }

  /** Adds term `t`'s contribution (`weight` = idf · (k1 + 1) · qtf) to every unit it occurs in. */
  #scoreTerm(s: IndexState, t: number, weight: number, useGroups: boolean): void {
    const { pages, head, tail, fill } = s.postings;
    const factors = this.#unitFactors;
    const groupFactors = this.#groupFactors;
    const unitGroup = s.unitGroup;
    const last = tail[t] as number;
    const stamp = ++this.#stamp;
    this.#nGroupsOfTerm = 0;
    // One unit's entries (one per field) are adjacent but may straddle two blocks: sum them
    // into x (and gx for its group), and settle the unit when the next one starts.
    let unit = -1;
    let x = 0;
    let gx = 0;
    let g = 0;
    for (let b = head[t] as number; b !== 0; ) {
      const pool = pages[pageOf(b)] as Uint32Array;
      const at = offsetOf(b);
      const end = at + 2 + (b === last ? (fill[t] as number) : (pool[at + 1] as number));
      b = b === last ? 0 : (pool[at] as number);
      for (let i = at + 2; i < end; i += 2) {
        const u = pool[i] as number;
        if (u !== unit) {
          if (unit >= 0) this.#settle(s, unit, x, gx, g, weight, stamp, useGroups);
          unit = u;
          x = 0;
          gx = 0;
          g = unitGroup[u] as number;
        }
        const packed = pool[i + 1] as number;
        const field = packed & 31;
        const tf = packed >>> 5;
        x += tf * ((factors[field] as Float64Array)[u] as number);
        if (useGroups) gx += tf * ((groupFactors[field] as Float64Array)[g] as number);
      }
    }
    if (unit >= 0) this.#settle(s, unit, x, gx, g, weight, stamp, useGroups);
  }

  #settle(
    s: IndexState,
    u: number,
    x: number,
    gx: number,
    g: number,
    weight: number,
    stamp: number,
    useGroups: boolean,
  ): void {
    // x is 0 only under a zero field weight: such a match adds nothing.
    if (s.alive[u] === 0 || x === 0) return;
    const acc = this.#acc;
    if (acc[u] === 0) this.#touched[this.#nTouched++] = u;
    acc[u] = (acc[u] as number) + (weight * x) / (s.options.k1 + x);
    if (useGroups) {
      if (this.#groupStamp[g] !== stamp) {
        this.#groupStamp[g] = stamp;
        this.#groupsOfTerm[this.#nGroupsOfTerm++] = g;
      }
      this.#groupTf[g] = (this.#groupTf[g] as number) + gx;
    }
  }

  /** Turns the group pseudo-frequencies of the term just scored into group scores. */
  #scoreGroups(s: IndexState, weight: number): void {
    const k1 = s.options.k1;
    const n = this.#nGroupsOfTerm;
    const idf = Math.log(1 + (s.aliveGroups - n + 0.5) / (n + 0.5));
    const groupAcc = this.#groupAcc;
    const groupTf = this.#groupTf;
    for (let j = 0; j < n; j++) {
      const g = this.#groupsOfTerm[j] as number;
      const x = groupTf[g] as number;
      groupTf[g] = 0;
      if (groupAcc[g] === 0) this.#groupsTouched[this.#nGroupsTouched++] = g;
      groupAcc[g] = (groupAcc[g] as number) + (idf * weight * x) / (k1 + x);
    }
  }

  #select(s: IndexState, request: ScoreRequest, nTouched: number, useGroups: boolean): SearchHit[] {
    const { k, filter, collapseGroups } = request;
    const alpha = useGroups ? s.options.groupWeight : 0;
    const ids = s.ids;
    const acc = this.#acc;
    const groupAcc = this.#groupAcc;
    const touched = this.#touched;
    const unitGroup = s.unitGroup;
    const top = this.#topK;
    top.reset(Math.min(k, s.aliveUnits), ids); // a huge k must not size the heap
    const score = (u: number): number =>
      alpha > 0
        ? (1 - alpha) * (acc[u] as number) + alpha * (groupAcc[unitGroup[u] as number] as number)
        : (acc[u] as number);
    if (!collapseGroups) {
      for (let j = 0; j < nTouched; j++) {
        const u = touched[j] as number;
        const sc = score(u);
        if (top.accepts(sc, u) && (filter === undefined || filter(ids[u] as string))) {
          top.push(sc, u);
        }
      }
    } else {
      // Best unit per group first (the filter is asked only about units that would win their
      // group), then the best groups.
      const best = this.#bestUnit;
      const groups: number[] = [];
      try {
        for (let j = 0; j < nTouched; j++) {
          const u = touched[j] as number;
          const g = unitGroup[u] as number;
          const current = best[g] as number;
          const sc = score(u);
          if (current >= 0) {
            const cs = score(current);
            if (sc < cs || (sc === cs && (ids[u] as string) > (ids[current] as string))) continue;
          }
          if (filter !== undefined && !filter(ids[u] as string)) continue;
          if (current < 0) groups.push(g);
          best[g] = u;
        }
        for (const g of groups) {
          const u = best[g] as number;
          const sc = score(u);
          if (top.accepts(sc, u)) top.push(sc, u);
        }
      } finally {
        for (const g of groups) best[g] = -1;
      }
    }
    return top.take().map(({ unit, score }) => ({ id: ids[unit] as string, score }));
  }
}
