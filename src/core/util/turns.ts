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
 * Counts units of work and yields a turn each time `per` of them were done.
 * @example
 * const budget = new TurnBudget(1000);
 * for (const chunk of chunks) { index(chunk); await budget.spend(1); }
 */
export class TurnBudget {
  readonly #per: number;
  #spent = 0;

  constructor(per: number) {
    this.#per = per;
  }

  /** Records `units` done; resolves after a turn when the batch is full, at once otherwise. */
  spend(units: number): Promise<void> | undefined {
    this.#spent += units;
    if (this.#spent < this.#per) return undefined;
    this.#spent = 0;
    return nextTurn();
  }
}
