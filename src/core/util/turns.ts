/**
 * Bounded work per turn of the event loop: long synchronous loops (indexing the chunks of a
 * 60 MB file) hand the thread back between batches, so requests are served meanwhile.
 * @module
 */

// `setImmediate` (Node, Deno, Bun) runs right after pending I/O; a timer of 0 is held back 1 ms
// or more (4 ms in browsers once nested).
const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/**
 * The longest a turn of bounded work runs before it hands the thread back, in ms: a request that
 * arrives meanwhile waits half of it on average. 2 ms where a turn costs next to nothing
 * (`setImmediate`), else 8 ms, so that the timer's own delay stays a small share.
 */
export const TURN_MS: number = immediate ? 2 : 8;

/**
 * Resolves on a later macrotask, after pending I/O callbacks (requests that arrived) have had
 * their turn; a resolved promise would only let other microtasks run. `setImmediate` where the
 * runtime has it, else a timer.
 * @example
 * for (const batch of batches) { work(batch); await nextTurn(); }
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) =>
    immediate ? immediate(() => resolve()) : setTimeout(resolve, 0),
  );
}

/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts.
 * @example
 * await sleep(250, signal); // then try again
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Units of work between two reads of the clock: a unit (a block, a chunk) is microseconds. */
const UNITS_PER_CLOCK_READ = 64;

/**
 * Counts work and yields a turn once `maxMs` of it (default {@link TURN_MS}) have passed since
 * the last turn, or after `maxUnits` units whatever the clock says (workerd's clock stands still
 * while code runs). The clock is read once per 64 units spent, so a loop can spend one per item.
 * @example
 * const budget = new TurnBudget(1000);
 * for (const batch of batches) { index(batch); await budget.spend(batch.length); }
 */
export class TurnBudget {
  readonly #maxMs: number;
  readonly #maxUnits: number;
  #units = 0;
  #unread = 0;
  #since = performance.now();

  constructor(maxUnits: number, maxMs: number = TURN_MS) {
    this.#maxMs = maxMs;
    this.#maxUnits = maxUnits;
  }

  /** Records `units` done; resolves after a turn when the budget is spent, else undefined. */
  spend(units: number): Promise<void> | undefined {
    this.#units += units;
    this.#unread += units;
    if (this.#units < this.#maxUnits) {
      if (this.#unread < UNITS_PER_CLOCK_READ) return undefined;
      this.#unread = 0;
      if (performance.now() - this.#since < this.#maxMs) return undefined;
    }
    return nextTurn().then(() => {
      this.#units = 0;
      this.#unread = 0;
      this.#since = performance.now();
    });
  }
}
