/**
 * Bounded top-k selection with a binary min-heap over reusable typed arrays: O(n log k) over the
 * candidates instead of sorting them all. Ties on score are broken by id (ascending, by UTF-16
 * code units), so results never depend on insertion order.
 * @module
 */

/**
 * Selects the `k` best (score, unit) pairs; `ids` names the units for tie-breaks.
 * @example
 * const top = new TopK(); top.reset(2, ids); if (top.accepts(1.5, 3)) top.push(1.5, 3); top.take()
 */
export class TopK {
  #units: Int32Array = new Int32Array(16);
  #scores: Float64Array = new Float64Array(16);
  #size = 0;
  #k = 0;
  #ids: readonly string[] = [];

  /** Starts a new selection of at most `k` items. */
  reset(k: number, ids: readonly string[]): void {
    if (k > this.#units.length) {
      this.#units = new Int32Array(k);
      this.#scores = new Float64Array(k);
    }
    this.#size = 0;
    this.#k = k;
    this.#ids = ids;
  }

  // Whether (sa, a) ranks below (sb, b): lower score, or equal score and larger id.
  #worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && (this.#ids[a] as string) > (this.#ids[b] as string));
  }

  /** Whether `unit` with `score` would enter the selection now (check before costly filters). */
  accepts(score: number, unit: number): boolean {
    if (this.#size < this.#k) return true;
    if (this.#k === 0) return false;
    return this.#worse(this.#scores[0] as number, this.#units[0] as number, score, unit);
  }

  /** Adds a pair that {@link accepts} approved. */
  push(score: number, unit: number): void {
    const units = this.#units;
    const scores = this.#scores;
    let i: number;
    if (this.#size < this.#k) {
      i = this.#size++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#worse(score, unit, scores[parent] as number, units[parent] as number)) break;
        units[i] = units[parent] as number;
        scores[i] = scores[parent] as number;
        i = parent;
      }
    } else {
      // Replace the root (the worst) and sift down.
      i = 0;
      const n = this.#size;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        let child = left;
        const right = left + 1;
        if (
          right < n &&
          this.#worse(
            scores[right] as number,
            units[right] as number,
            scores[left] as number,
            units[left] as number,
          )
        ) {
          child = right;
        }
        if (!this.#worse(scores[child] as number, units[child] as number, score, unit)) break;
        units[i] = units[child] as number;
        scores[i] = scores[child] as number;
        i = child;
      }
    }
    units[i] = unit;
    scores[i] = score;
  }

  /** The selection, best first. */
  take(): { unit: number; score: number }[] {
    const out: { unit: number; score: number }[] = [];
    for (let i = 0; i < this.#size; i++) {
      out.push({ unit: this.#units[i] as number, score: this.#scores[i] as number });
    }
    const ids = this.#ids;
    out.sort((a, b) =>
      a.score !== b.score
        ? b.score - a.score
        : (ids[a.unit] as string) < (ids[b.unit] as string)
          ? -1
          : 1,
    );
    return out;
  }
}
