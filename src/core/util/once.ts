/**
 * {@link Once}: an async set-up that runs once, is shared by concurrent callers, and may run
 * again after it failed or was reset (on close).
 * @module
 */
export class Once {
  #done: Promise<void> | undefined;
  #settled = false;

  /** True once `setUp` has succeeded (and not been reset): callers may skip awaiting `run`. */
  get ready(): boolean {
    return this.#settled;
  }

  /** Runs `setUp` unless it ran (or is running) already. */
  run(setUp: () => Promise<void>): Promise<void> {
    this.#done ??= setUp().then(
      () => {
        this.#settled = true;
      },
      (error: unknown) => {
        this.#done = undefined;
        throw error;
      },
    );
    return this.#done;
  }

  /** Forgets that it ran: the next `run` sets up again. */
  reset(): void {
    this.#done = undefined;
    this.#settled = false;
  }
}

/**
 * {@link LoadOnce}: a value made by an async `load` on first use, shared by concurrent callers;
 * a failed load is tried again by the next `get`. What the lazily loaded stores and indexes
 * (`LazyBlobStore`, `LazySearchIndex`) forward to.
 * @example
 * const store = new LoadOnce(async () => new (await import("./s3.ts")).S3BlobStore(options));
 * await (await store.get()).head("key");
 */
export class LoadOnce<T> {
  readonly #load: () => Promise<T>;
  #value: T | undefined;
  #loading: Promise<T> | undefined;

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  /** The value once loaded (undefined before). */
  get value(): T | undefined {
    return this.#value;
  }

  /** The value, loaded now if it was not. */
  get(): Promise<T> {
    if (this.#value !== undefined) return Promise.resolve(this.#value);
    this.#loading ??= this.#load().then(
      (value) => {
        this.#value = value;
        return value;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}
