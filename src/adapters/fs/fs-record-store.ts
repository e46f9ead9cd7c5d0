/**
 * {@link FileRecordStore}: the registry's `RecordStore` in a directory, shared safely by the
 * processes of one host. Every change is a line appended to `registry.jsonl` under a
 * cross-process lock; each process replays the journal into memory and, before serving a read,
 * reads only the bytes appended since (one `stat` tells whether there are any), so reads are
 * strongly consistent across processes and `revision()` costs a `stat`. History is the journal's
 * `put` lines (each record with its `ext`: labels, write context). The journal is compacted
 * (rewritten and renamed into place) once it is mostly touches and removed records; readers
 * notice the new file and reload it. Its format is versioned (`fs-journal.ts`): journals of
 * older formats open unchanged.
 * @module
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "../../core/registry/record-store.ts";
import type { RecordTable } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";
import { Once } from "../../core/util/once.ts";
import { COMPACT_PREFIX, type JournalOp, newHeader, replaceJournal } from "./fs-journal.ts";
import { JournalReplica } from "./fs-journal-replica.ts";
import { RESERVED_PREFIX, withFileLock } from "./fs-lock.ts";

/** Options of {@link FileRecordStore}. */
export interface FileRecordStoreOptions {
  /** The directory (created if missing); the journal is `<path>/registry.jsonl`. */
  path: string;
  /** `fsync` each appended line before the write returns (default true). */
  sync?: boolean;
  /** Give up waiting for another process's write after this long (default 30 s). */
  lockTimeoutMs?: number;
}

const JOURNAL = "registry.jsonl";

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
  readonly #ready = new Once();
  // Serializes reading and applying the journal within this instance (taken after the file lock).
  readonly #io = new KeyedLock();
  readonly #replica: JournalReplica;

  constructor(options: FileRecordStoreOptions) {
    this.path = options.path;
    this.#journal = join(options.path, JOURNAL);
    this.#lockPath = join(options.path, `${RESERVED_PREFIX}lock-registry`);
    this.#sync = options.sync ?? true;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.#replica = new JournalReplica(this.#journal);
  }

  /** Creates the directory and journal if missing, clears a crashed compaction's leftovers, loads. */
  initialize(): Promise<void> {
    return this.#ready.run(async () => {
      await mkdir(this.path, { recursive: true });
      await this.#locked(async () => {
        const exists = await stat(this.#journal).then(
          () => true,
          (e: unknown) => (codeOf(e) === "ENOENT" ? false : Promise.reject(e)),
        );
        if (!exists) await replaceJournal(this.#journal, newHeader(randomUUID(), 0, 0), []);
        for (const name of await readdir(this.path))
          if (name.startsWith(COMPACT_PREFIX)) await unlink(join(this.path, name)).catch(() => {});
      });
      await this.#catchUp();
    });
  }

  async close(): Promise<void> {
    this.#ready.reset();
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.#lockPath, fn, { timeoutMs: this.#lockTimeoutMs });
  }

  /** Reads what other processes appended since the last read (nothing but a `stat` if none). */
  async #catchUp(): Promise<void> {
    if (!(await this.#replica.changed())) return;
    if (await this.#io.run("io", () => this.#replica.readNew(false))) return;
    // A line that did not parse or follow: maybe read while a writer cut a torn tail. Again,
    // with no writer at work; a failure now is a damaged journal.
    await this.#locked(() => this.#io.run("io", () => this.#replica.readNew(true)));
  }

  /**
   * One write: under the lock, catch up, cut a dead writer's torn line, let `decide` look at
   * the state, append its operation (if any); compact when due.
   */
  async #write<T>(decide: (table: RecordTable) => { op: JournalOp | null; result: T }): Promise<T> {
    await this.initialize();
    const replica = this.#replica;
    return this.#locked(() =>
      this.#io.run("io", async () => {
        await replica.readNew(true);
        await replica.cutTornTail();
        const { op, result } = decide(replica.table);
        if (op === null) return result;
        await replica.append(op, this.#sync);
        if (replica.compactionDue) {
          // The write is done and in the journal: a compaction that fails (disk full) is tried
          // after the next write, and its temporary file is swept at start-up.
          await replica.compact().catch(() => {});
        }
        return result;
      }),
    );
  }

  async #fresh(): Promise<RecordTable> {
    if (!this.#ready.ready) await this.initialize();
    await this.#catchUp();
    return this.#replica.table;
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    return (await this.#fresh()).get(botId);
  }

  async list(options?: ListOptions): Promise<Page<StoredRegistration>> {
    return (await this.#fresh()).list(options);
  }

  put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    return this.#write((table) =>
      table.accepts(record, expectedVersion)
        ? { op: { op: "put", record }, result: true }
        : { op: null, result: false },
    );
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
    return (await this.#fresh()).history(botId, options);
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    return (await this.#fresh()).getVersion(botId, version);
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

function allIds(table: RecordTable): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = table.list(cursor === undefined ? {} : { cursor });
    for (const r of page.items) ids.push(r.bot_id);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return ids;
}
