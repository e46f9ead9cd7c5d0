/**
 * {@link FileRecordStore}: the registry's `RecordStore` in a directory, shared safely by the
 * processes of one host. Every change is a line appended to `registry.jsonl` under a
 * cross-process lock, and fenced in the file itself, so that two writers never both land even
 * when the lock fails (`fs-journal.ts`); each process replays the journal and, before serving a
 * read, reads only the bytes appended since (one `stat` tells whether there are any), so reads
 * are strongly consistent across processes and `revision()` costs a `stat`. Memory holds each
 * bot's current record and where each old version's line is: history is read from the journal
 * (`fs-journal-replica.ts`). The journal is compacted (sealed, rewritten and renamed into place,
 * `fs-journal-compact.ts`) once it is mostly touches, pruned versions and removed records;
 * readers notice the new file and reload it. Its format is versioned (`fs-journal.ts`): journals
 * of older formats open unchanged. A damaged journal is refused with the line named;
 * `repairJournal` keeps every good line.
 * @module
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AdapterError } from "../../core/errors.ts";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "../../core/registry/record-store.ts";
import type { RecordTable, VersionRef } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import { validateVersion } from "../../core/registry/store-writer.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";
import { Once } from "../../core/util/once.ts";
import {
  COMPACT_PREFIX,
  createJournal,
  JOURNAL_FORMAT,
  JOURNAL_NAME,
  type JournalOp,
  LOCK_NAME,
  newHeader,
  opFormat,
} from "./fs-journal.ts";
import { compactJournal, finishSeal } from "./fs-journal-compact.ts";
import { writeIndex } from "./fs-journal-index.ts";
import { type JournalFile, JournalReplica, type LineRef } from "./fs-journal-replica.ts";
import { withFileLock } from "./fs-lock.ts";

/** Options of {@link FileRecordStore}. */
export interface FileRecordStoreOptions {
  /** The directory (created if missing); the journal is `<path>/registry.jsonl`. */
  path: string;
  /** `fsync` each appended line before the write returns (default true). */
  sync?: boolean;
  /** Give up waiting for another process's write after this long (default 30 s). */
  lockTimeoutMs?: number;
  /**
   * The lock's lease (default 10 s): a writer frozen longer loses the lock (its appends stay
   * fenced). Every process sharing the folder must use the same.
   */
  lockLeaseMs?: number;
  /**
   * Keep the newest N versions of each bot (an integer ≥ 1; default: all), in the store itself:
   * pruned after each put, and at start for bots that hold more (older writes, a lower limit
   * than before); compaction then drops them from the journal. The same as
   * `StoreRegistryBackend`'s `historyLimit`, for code that hands the store on (`createFileApp`).
   */
  historyLimit?: number;
}

// Races one write may lose before it gives up (each loss means another writer's line landed).
const MAX_RACES = 1000;
const NOT_YET: unique symbol = Symbol("not yet");
// Lines appended between two writes of the index (so a restart reads at most this many whole).
const INDEX_EVERY = 1000;

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/**
 * A record store in a directory (Node, Deno, Bun). Strongly consistent and atomic across the
 * processes of one host (not over a network file system shared by hosts).
 * @example
 * const store = new FileRecordStore({ path: "./data/registry" });
 * const backend = new StoreRegistryBackend({ store, historyLimit: 50 });
 */
export class FileRecordStore implements RecordStore {
  readonly name: string = "file";
  readonly capabilities: RecordStoreCapabilities = {
    consistency: "strong",
    visibilityLagMs: 0,
    atomicWrites: true,
    // Filtered in the replayed state before paging.
    filters: ["status"],
  };
  /** The directory. */
  readonly path: string;
  readonly #journal: string;
  readonly #lockPath: string;
  readonly #sync: boolean;
  readonly #lockTimeoutMs: number;
  readonly #lockLeaseMs: number | undefined;
  readonly #ready = new Once();
  // The line count at the last compaction that failed: tried again once the file doubled.
  #compactFailedAt = 0;
  readonly #historyLimit: number | undefined;
  // Whether the history limit was applied to every bot since this instance opened the store.
  #limited = false;
  // Serializes reading and applying the journal within this instance (taken after the file lock).
  readonly #io = new KeyedLock();
  readonly #replica: JournalReplica;

  constructor(options: FileRecordStoreOptions) {
    this.path = options.path;
    this.#journal = join(options.path, JOURNAL_NAME);
    this.#lockPath = join(options.path, LOCK_NAME);
    this.#sync = options.sync ?? true;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.#lockLeaseMs = options.lockLeaseMs;
    this.#historyLimit =
      options.historyLimit === undefined
        ? undefined
        : validateVersion(options.historyLimit, "historyLimit");
    this.#replica = new JournalReplica(this.#journal);
  }

  /**
   * Creates the directory and journal if missing, clears a crashed compaction's leftovers, loads;
   * with a history limit, prunes the bots that hold more versions than it.
   */
  async initialize(): Promise<void> {
    await this.#ready.run(async () => {
      await mkdir(this.path, { recursive: true });
      await this.#locked(async () => {
        const exists = await stat(this.#journal).then(
          () => true,
          (e: unknown) => (codeOf(e) === "ENOENT" ? false : Promise.reject(e)),
        );
        if (!exists) await createJournal(this.#journal, newHeader(randomUUID(), 0, 0));
        for (const name of await readdir(this.path))
          if (name.startsWith(COMPACT_PREFIX)) await unlink(join(this.path, name)).catch(() => {});
      });
      await this.#catchUp();
    });
    const limit = this.#historyLimit;
    if (limit === undefined || this.#limited) return;
    this.#limited = true;
    for (const id of allIds(this.#replica.table))
      if (this.#replica.table.pruneCutoff(id, limit).removed > 0)
        await this.pruneHistory(id, limit);
  }

  async close(): Promise<void> {
    this.#ready.reset();
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const lease = this.#lockLeaseMs === undefined ? {} : { leaseMs: this.#lockLeaseMs };
    return withFileLock(this.#lockPath, fn, { timeoutMs: this.#lockTimeoutMs, ...lease });
  }

  /** Runs `fn` on the journal opened and caught up to, one at a time within this instance. */
  #withFile<T>(write: boolean, fn: (file: JournalFile) => Promise<T>): Promise<T> {
    return this.#io.run("io", async () => {
      const file = await this.#replica.open(write);
      try {
        await this.#replica.catchUp(file);
        return await fn(file);
      } finally {
        await file.handle.close();
      }
    });
  }

  /** Reads what other processes appended since the last read (nothing but a `stat` if none). */
  async #catchUp(): Promise<void> {
    if (await this.#replica.changed()) await this.#withFile(false, async () => {});
  }

  /**
   * One write: under the lock, catch up, let `decide` look at the state, append its operation
   * (if any). An append that another writer's line beat (the lock failed) is decided again on
   * the newer state; a sealed journal is finished first; compact when due.
   */
  async #write<T>(
    decide: (table: RecordTable<LineRef>) => { op: JournalOp | null; result: T },
  ): Promise<T> {
    await this.initialize();
    return this.#locked(async () => {
      for (let round = 0; round < MAX_RACES; round++) {
        const done = await this.#withFile(true, (file) => this.#attempt(file, decide));
        if (done !== NOT_YET) return done as T;
      }
      throw new AdapterError(
        "file",
        `${this.#journal}: gave up a write after ${MAX_RACES} rounds lost to other writers`,
      );
    });
  }

  /** One round of a write on the caught-up `file`: its result, or `NOT_YET` to go again. */
  async #attempt<T>(
    file: JournalFile,
    decide: (table: RecordTable<LineRef>) => { op: JournalOp | null; result: T },
  ): Promise<T | typeof NOT_YET> {
    const replica = this.#replica;
    if (replica.sealed !== null) {
      await finishSeal(replica, file);
      return NOT_YET;
    }
    const { op, result } = decide(replica.table);
    if (op === null) return result;
    if (opFormat(op) > replica.format) {
      // A reader of the older format must refuse the file, not misread the op: rewrite first.
      await compactJournal(replica, file, JOURNAL_FORMAT);
      return NOT_YET;
    }
    if (!(await replica.append(file, op, this.#sync))) return NOT_YET;
    if (replica.lines - replica.indexedAt >= INDEX_EVERY) {
      // A cache for restarts: one not written is written after a later write.
      const index = await replica.index(file).catch(() => null);
      if (index !== null)
        await writeIndex(this.#journal, index).then(
          () => {
            replica.indexedAt = replica.lines;
          },
          () => {},
        );
    }
    if (replica.compactionDue && replica.lines > 2 * this.#compactFailedAt) {
      // The write is done and in the journal: a compaction that fails (disk full, a damaged old
      // line) is tried again once the file doubled; its temporary file is swept at start-up.
      await compactJournal(replica, file).then(
        () => {
          this.#compactFailedAt = 0;
        },
        () => {
          this.#compactFailedAt = replica.lines;
        },
      );
    }
    return result;
  }

  async #fresh(): Promise<RecordTable<LineRef>> {
    if (!this.#ready.ready) await this.initialize();
    await this.#catchUp();
    return this.#replica.table;
  }

  /** A kept version as a record: read back from its line when it is kept as a reference. */
  #resolve(
    file: JournalFile,
    botId: string,
    kept: StoredRegistration | VersionRef<LineRef>,
  ): Promise<StoredRegistration> {
    return "ref" in kept
      ? this.#replica.readVersion(file, botId, kept.version, kept.ref)
      : Promise.resolve(kept);
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    return (await this.#fresh()).get(botId);
  }

  async list(options?: ListOptions): Promise<Page<StoredRegistration>> {
    return (await this.#fresh()).list(options);
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    const written = await this.#write((table) =>
      table.accepts(record, expectedVersion)
        ? { op: { op: "put", record }, result: true }
        : { op: null, result: false },
    );
    // The put landed: a prune that fails is applied again after the next put, or at start.
    if (written && this.#historyLimit !== undefined)
      await this.pruneHistory(record.bot_id, this.#historyLimit).catch(() => {});
    return written;
  }

  touch(botId: string, at: string, { version }: TouchCondition): Promise<boolean> {
    return this.#write((table) =>
      table.version(botId) === version
        ? { op: { op: "touch", bot_id: botId, version, at }, result: true }
        : { op: null, result: false },
    );
  }

  delete(botId: string): Promise<boolean> {
    return this.#write((table) =>
      table.version(botId) !== null
        ? { op: { op: "delete", bot_id: botId }, result: true }
        : { op: null, result: false },
    );
  }

  clear(): Promise<string[]> {
    return this.#write((table) => {
      const ids = allIds(table);
      return { op: ids.length > 0 ? { op: "clear" } : null, result: ids };
    });
  }

  /** The store's id and the count of changes: a `stat` when nothing was appended. */
  async revision(): Promise<string> {
    const table = await this.#fresh();
    return `${this.#replica.store.slice(0, 8)}-${table.changes}`;
  }

  async history(botId: string, options?: PageOptions): Promise<Page<StoredRegistration>> {
    if (!this.#ready.ready) await this.initialize();
    return this.#withFile(false, async (file) => {
      const page = this.#replica.table.keptPage(botId, options);
      const items = await Promise.all(page.items.map((kept) => this.#resolve(file, botId, kept)));
      return { ...page, items };
    });
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    if (!this.#ready.ready) await this.initialize();
    return this.#withFile(false, async (file) => {
      const kept = this.#replica.table.getKept(botId, version);
      return kept === null ? null : this.#resolve(file, botId, kept);
    });
  }

  pruneHistory(botId: string, keepLast: number): Promise<number> {
    return this.#write((table) => {
      const { before, removed } = table.pruneCutoff(botId, keepLast);
      return {
        op: removed > 0 ? { op: "prune", bot_id: botId, before } : null,
        result: removed,
      };
    });
  }
}

function allIds(table: RecordTable<LineRef>): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = table.list(cursor === undefined ? {} : { cursor });
    for (const r of page.items) ids.push(r.bot_id);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return ids;
}
