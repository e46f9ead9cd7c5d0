/**
 * {@link PastStates}: the states of past revisions a `BlobSearchIndex` has built, a few at a time.
 * @module
 */

/**
 * A few states of past revisions, built on demand and kept while used (least recently used
 * first out). A revision's content never changes, so an entry stays right as long as it exists.
 * @example
 * const state = await past.get(key, () => build(chain));
 */
export class PastStates<S> {
  readonly #max: number;
  readonly #entries = new Map<string, Promise<S>>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The entry of `key`, built with `build` when absent (a failed build is not kept). */
  get(key: string, build: () => Promise<S>): Promise<S> {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry;
    }
    entry = build();
    this.#entries.set(key, entry);
    entry.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#max)
      this.#entries.delete(this.#entries.keys().next().value as string);
    return entry;
  }

  /** Forgets the entries whose key starts with `prefix` (a scope removed, or a revision pruned). */
  forget(prefix: string): void {
    for (const key of [...this.#entries.keys()])
      if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
