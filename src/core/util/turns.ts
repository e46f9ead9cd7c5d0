/**
 * Bounded work per turn of the event loop: long synchronous loops (indexing the chunks of a
 * 60 MB file) hand the thread back between batches, so requests are served meanwhile.
 * @module
 */

/**
 * Resolves on a later macrotask (a timer), after pending I/O callbacks have had their turn; a
 * resolved promise would only let other microtasks run.
 * @example
 * for (const batch of batches) { work(batch); await nextTurn(); }
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Counts work and yields a turn once `maxMs` of it have passed since the last turn, or after
 * `maxUnits` units whatever the clock says (workerd's clock stands still while code runs).
 * @example
 * const budget = new TurnBudget(8, 1000);
 * for (const batch of batches) { index(batch); await budget.spend(batch.length); }
 */
export class TurnBudget {
  readonly #maxMs: number;
  readonly #maxUnits: number;
  #units = 0;
  #since = performance.now();

  constructor(maxMs: number, maxUnits: number) {
    this.#maxMs = maxMs;
    this.#maxUnits = maxUnits;
  }

  /** Records `units` done; resolves after a turn when the budget is spent, else undefined. */
  spend(units: number): Promise<void> | undefined {
    this.#units += units;
    if (this.#units < this.#maxUnits && performance.now() - this.#since < this.#maxMs)
      return undefined;
    return nextTurn().then(() => {
      this.#units = 0;
      this.#since = performance.now();
    });
  }
}
