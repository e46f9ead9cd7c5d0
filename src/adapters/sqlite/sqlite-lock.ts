/**
 * {@link SqliteLock}: a lock shared by the processes of one host, held as the write lock of a
 * SQLite file — an OS lock, so it dies with its process (kill -9, a crash) and no lock file is
 * ever left behind, stale or deleted.
 * @module
 */
import { AdapterError, errorMessage } from "../../core/errors.ts";
import { sleep } from "../../core/util/turns.ts";
import { openSqliteDatabase, type SqliteDriverName } from "./sqlite-driver.ts";
import type { SqliteDatabaseLike } from "./types.ts";

/** Options of {@link SqliteLock}. */
export interface SqliteLockOptions {
  /** The file whose write lock is the lock (created if missing). Use it for nothing else. */
  path: string;
  /** Give up waiting after this long, with an `AdapterError` (default 30 s). */
  timeoutMs?: number;
  /** The driver (default: the runtime's). */
  driver?: SqliteDriverName;
}

/** Whether a driver's error says that another connection holds the lock. */
function busy(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  return e?.errcode === 5 || /SQLITE_BUSY|database is locked/i.test(`${e?.code} ${e?.message}`);
}

/**
 * One lock for the processes that open the same file: `run(fn)` holds the file's write lock
 * (`BEGIN IMMEDIATE`, nothing written) while `fn` runs. The calls of one process take turns on
 * a queue; another process's holder is waited for without blocking this one's event loop (the
 * lock is tried again with a growing pause, not under the driver's busy timeout). The operating
 * system releases the lock when its holder's process ends, however it ends; a holder frozen
 * (SIGSTOP) keeps it, and waiters give up after `timeoutMs`. Keep the file for the lock alone:
 * a write to it elsewhere in this process would wait for this lock synchronously.
 * @example
 * const lock = new SqliteLock({ path: "./data/botknobs-locks.db" });
 * await lock.run(async () => replaceTheHead());
 */
export class SqliteLock {
  readonly path: string;
  readonly #options: SqliteLockOptions;
  #db: Promise<SqliteDatabaseLike> | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SqliteLockOptions) {
    this.path = options.path;
    this.#options = options;
  }

  /**
   * Runs `fn` holding the lock; `timeoutMs` (default the lock's) bounds the wait for it.
   * @example
   * await lock.run(() => migrate(), { timeoutMs: 600_000 });
   */
  run<T>(fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const turn = this.#queue.then(() => this.#hold(fn, options.timeoutMs));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #hold<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
    const db = await this.#open();
    const deadline = Date.now() + (timeoutMs ?? this.#options.timeoutMs ?? 30_000);
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      try {
        db.exec("BEGIN IMMEDIATE");
        break;
      } catch (error) {
        if (!busy(error) || Date.now() >= deadline)
          throw new AdapterError(
            "sqlite",
            busy(error)
              ? `the lock ${this.path} is still held by another process (a frozen one?) after ${Math.round((timeoutMs ?? this.#options.timeoutMs ?? 30_000) / 1000)} s`
              : `could not take the lock ${this.path}: ${errorMessage(error)}`,
            { cause: error },
          );
        await sleep(pause);
      }
    }
    try {
      return await fn();
    } finally {
      db.exec("ROLLBACK");
    }
  }

  #open(): Promise<SqliteDatabaseLike> {
    const { driver } = this.#options;
    // Opened with the usual busy timeout (two processes creating the file at once wait for
    // each other's setup), then none: the lock is waited for in `#hold`, off the event loop.
    this.#db ??= openSqliteDatabase(this.path, driver ? { driver } : {})
      .then((db) => {
        db.exec("PRAGMA busy_timeout = 0");
        return db;
      })
      .catch((error: unknown) => {
        this.#db = null;
        throw error;
      });
    return this.#db;
  }

  /** Closes the file once the calls queued so far are done. */
  async close(): Promise<void> {
    await this.#queue;
    const db = this.#db;
    this.#db = null;
    (await db?.catch(() => null))?.close();
  }
}
