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
