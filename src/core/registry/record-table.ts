/**
 * {@link RecordTable}: the records and their versions in memory, synchronously. It is the state
 * of {@link MemoryRecordStore} and the replayed state of the file store's journal: one
 * implementation of the port's rules (compare-and-set, conditional touch, history pages).
 *
 * A table keeps each version in memory, or — for a store that can read a version back, like the
 * file store's journal — as a reference of the store's own (`put(record, expected, ref)`): then
 * only the current records are in memory, and history pages hand out the references
 * ({@link RecordTable.keptPage}) for the store to read.
 * @module
 */
import type { JsonObject } from "../validate.ts";
import { type Page, type PageOptions, pageLimit } from "./page.ts";
import { checkKeepLast, checkPutRecord, checkPutVersion, historyCursor } from "./record-checks.ts";
import type { RecordExt } from "./record-ext.ts";
import type { ListOptions, RecordFilter } from "./record-store.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

export { checkKeepLast, checkPutRecord, checkPutVersion, historyCursor } from "./record-checks.ts";

type Head = Omit<RegistrationDict, "config" | "metadata" | "ext">;

/**
 * A stored version: its scalar fields (copied out on every read), metadata, config and ext
 * (`null`: none) as JSON text.
 */
interface Entry {
  head: Readonly<Head>;
  metadata: string;
  config: string;
  ext: string | null;
}

/**
 * A kept version that a table holds only as its store's reference (`R`): the store reads it.
 * @example
 * const kept: VersionRef<{ at: number }> = { version: 3, ref: { at: 1024 } };
 */
export interface VersionRef<R> {
  version: number;
  ref: R;
}

type Kept<R> = Entry | VersionRef<R>;

interface Bot<R> {
  /**
   * The current version, with the last recorded access; `null` only while a journal is replayed
   * (`putRef`: a version whose content a later `put` replaces before anything reads it).
   */
  current: Entry | null;
  /** Every kept version as written, oldest first (the last one is the current one's write). */
  versions: Kept<R>[];
  /** Whether an access was recorded since the current version was written. */
  touched: boolean;
}

function versionOf<R>(kept: Kept<R>): number {
  return "head" in kept ? kept.head.version : kept.version;
}

function currentOf<R>(botId: string, bot: Bot<R>): Entry {
  if (bot.current === null)
    throw new Error(`RecordTable: the current record of '${botId}' was never read`);
  return bot.current;
}

function readKept<R>(kept: Kept<R>): StoredRegistration | VersionRef<R> {
  return "head" in kept ? read(kept) : kept;
}

/**
 * A stored record as every table hands it out (scalars copied, metadata parsed, config as JSON
 * text, `ext` only when there is one): for a store that reads a version back itself.
 * @example
 * storedRecord(JSON.parse(line).record);
 */
export function storedRecord(record: RegistrationDict | StoredRegistration): StoredRegistration {
  return read(toEntry(record));
}

function read(entry: Entry): StoredRegistration {
  const record: StoredRegistration = {
    ...entry.head,
    metadata: entry.metadata === "{}" ? {} : (JSON.parse(entry.metadata) as JsonObject),
    config: entry.config,
  };
  if (entry.ext !== null) record.ext = JSON.parse(entry.ext) as RecordExt;
  return record;
}

function toEntry(record: RegistrationDict | StoredRegistration): Entry {
  const { config, metadata, ext, ...head } = record;
  return {
    head: Object.freeze(head),
    metadata: JSON.stringify(metadata ?? {}),
    config: typeof config === "string" ? config : JSON.stringify(config),
    ext: ext === undefined ? null : JSON.stringify(ext),
  };
}

function matches(entry: Entry, where: RecordFilter): boolean {
  return where.status === undefined || entry.head.status === where.status;
}

/** The first index in sorted `ids` whose id is greater than (`after`) or not less than `id`. */
function bound(ids: string[], id: string, after: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid] as string;
    if (v < id || (after && v === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in `versions` whose version is not less than `version`. */
function versionIndex<R>(versions: Kept<R>[], version: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (versionOf(versions[mid] as Kept<R>) < version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Records with history, in memory. Callers never share objects with it: scalar fields are
 * copied out, metadata and config are kept as JSON text (parsing a small record is faster than
 * a deep clone) and the config is handed out unparsed.
 * @example
 * const table = new RecordTable();
 * table.put(record, null); // true
 * table.list({ limit: 10 }); // { items: [...] }
 */
export class RecordTable<R = never> {
  readonly #bots = new Map<string, Bot<R>>();
  // Ids sorted (code-unit order), built by the first listing and kept in step after it.
  #sorted: string[] | null = null;
  #changes = 0;
  #versionCount = 0;

  /** The number of records. */
  get size(): number {
    return this.#bots.size;
  }

  /** Content-changing writes so far (put, delete, and clear when it deleted something). */
  get changes(): number {
    return this.#changes;
  }

  set changes(n: number) {
    this.#changes = n;
  }

  /** The number of versions kept, over all records. */
  get versionCount(): number {
    return this.#versionCount;
  }

  get(botId: string): StoredRegistration | null {
    const bot = this.#bots.get(botId);
    return bot === undefined ? null : read(currentOf(botId, bot));
  }

  /** The current version of a record, or `null`. */
  version(botId: string): number | null {
    const versions = this.#bots.get(botId)?.versions;
    return versions === undefined ? null : versionOf(versions[versions.length - 1] as Kept<R>);
  }

  /**
   * A page of current records sorted by id; the cursor is the last id of the page. With
   * `where`, only matching records, `limit` of them unless none follow (a cursor only then).
   */
  list(options: ListOptions = {}): Page<StoredRegistration> {
    const limit = pageLimit(options.limit);
    this.#sorted ??= [...this.#bots.keys()].sort();
    const ids = this.#sorted;
    const start = options.cursor === undefined ? 0 : bound(ids, options.cursor, true);
    const { where } = options;
    if (where !== undefined && where.status !== undefined)
      return this.#filtered(start, limit, where);
    const end = Math.min(start + limit, ids.length);
    const items: StoredRegistration[] = [];
    for (let i = start; i < end; i++) items.push(this.get(ids[i] as string) as StoredRegistration);
    return end < ids.length ? { items, cursor: ids[end - 1] as string } : { items };
  }

  /** The matching records from `start` on, up to `limit`; a cursor when one more matches. */
  #filtered(start: number, limit: number, where: RecordFilter): Page<StoredRegistration> {
    const ids = this.#sorted as string[];
    const items: StoredRegistration[] = [];
    for (let i = start; i < ids.length; i++) {
      const entry = currentOf(ids[i] as string, this.#bots.get(ids[i] as string) as Bot<R>);
      if (!matches(entry, where)) continue;
      // One match past a full page: a cursor follows (and the next page is not empty).
      if (items.length === limit) return { items, cursor: items[limit - 1]?.bot_id as string };
      items.push(read(entry));
    }
    return { items };
  }

  /**
   * Whether `put(record, expectedVersion)` would write: the condition holds. A version that is
   * not an integer above `expectedVersion`, or a bad `ext`, is a `ValidationError`.
   */
  accepts(record: RegistrationDict | StoredRegistration, expectedVersion: number | null): boolean {
    checkPutRecord(record, expectedVersion);
    return this.version(record.bot_id) === expectedVersion;
  }

  /**
   * Writes `record` when the current version is `expectedVersion` (`null`: absent). With `ref`,
   * the version is kept in history as that reference (its content is the store's to read back).
   */
  put(
    record: RegistrationDict | StoredRegistration,
    expectedVersion: number | null,
    ref?: R,
  ): boolean {
    if (!this.accepts(record, expectedVersion)) return false;
    const entry = toEntry(record);
    this.#add(record.bot_id, entry, ref === undefined ? entry : { version: record.version, ref });
    return true;
  }

  /**
   * Replays a write whose content is not read (a later `put` of the record replaces it as the
   * current one before anything reads the table): its version is kept as `ref`. False when
   * `version` does not grow.
   */
  putRef(botId: string, version: number, ref: R): boolean {
    checkPutVersion({ bot_id: botId, version }, this.version(botId));
    this.#add(botId, null, { version, ref });
    return true;
  }

  #add(botId: string, current: Entry | null, kept: Kept<R>): void {
    const bot = this.#bots.get(botId);
    if (bot) {
      bot.current = current;
      bot.touched = false;
      bot.versions.push(kept);
    } else {
      this.#bots.set(botId, { current, versions: [kept], touched: false });
      this.#sorted?.splice(bound(this.#sorted, botId, false), 0, botId);
    }
    this.#changes++;
    this.#versionCount++;
  }

  /** Records an access while the current version is `version`; false when not applied. */
  touch(botId: string, lastAccessedAt: string, version: number): boolean {
    const bot = this.#bots.get(botId);
    const current = bot?.current;
    if (bot === undefined || current == null || current.head.version !== version) return false;
    // A new entry: the version kept in history is left as it was written.
    bot.current = {
      ...current,
      head: Object.freeze({ ...current.head, last_accessed_at: lastAccessedAt }),
    };
    bot.touched = true;
    return true;
  }

  delete(botId: string): boolean {
    const bot = this.#bots.get(botId);
    if (bot === undefined) return false;
    this.#bots.delete(botId);
    this.#sorted?.splice(bound(this.#sorted, botId, false), 1);
    this.#versionCount -= bot.versions.length;
    this.#changes++;
    return true;
  }

  clear(): string[] {
    const ids = [...this.#bots.keys()];
    this.#bots.clear();
    this.#sorted = null;
    this.#versionCount = 0;
    if (ids.length > 0) this.#changes++;
    return ids;
  }

  /**
   * A page of a record's versions, newest first, as kept: records, or the references of versions
   * kept as one (`put(record, expected, ref)`). The cursor is the last version of the page.
   */
  keptPage(botId: string, options: PageOptions = {}): Page<StoredRegistration | VersionRef<R>> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    const versions = this.#bots.get(botId)?.versions ?? [];
    const from = versionIndex(versions, below) - 1;
    const to = Math.max(from - limit, -1);
    const items: Array<StoredRegistration | VersionRef<R>> = [];
    for (let i = from; i > to; i--) items.push(readKept(versions[i] as Kept<R>));
    return to >= 0 ? { items, cursor: String(versionOf(versions[to + 1] as Kept<R>)) } : { items };
  }

  /** One kept version as kept (a record, or its reference), or `null`. */
  getKept(botId: string, version: number): StoredRegistration | VersionRef<R> | null {
    const versions = this.#bots.get(botId)?.versions;
    if (versions === undefined) return null;
    const kept = versions[versionIndex(versions, version)];
    return kept !== undefined && versionOf(kept) === version ? readKept(kept) : null;
  }

  /** A page of a record's versions, newest first, of a table that keeps them in memory. */
  history(botId: string, options: PageOptions = {}): Page<StoredRegistration> {
    return this.keptPage(botId, options) as Page<StoredRegistration>;
  }

  /** One kept version of a table that keeps them in memory, or `null`. */
  getVersion(botId: string, version: number): StoredRegistration | null {
    return this.getKept(botId, version) as StoredRegistration | null;
  }

  /**
   * What `prune(botId, keepLast)` would do: remove the versions below `before`, `removed` of them.
   * `keepLast` must be an integer ≥ 1 (`ValidationError`).
   */
  pruneCutoff(botId: string, keepLast: number): { before: number; removed: number } {
    checkKeepLast(keepLast);
    const versions = this.#bots.get(botId)?.versions ?? [];
    const removed = Math.max(versions.length - keepLast, 0);
    return { before: removed > 0 ? versionOf(versions[removed] as Kept<R>) : 0, removed };
  }

  /** Removes the versions older than `version` (never the current one); returns how many. */
  pruneBefore(botId: string, version: number): number {
    const versions = this.#bots.get(botId)?.versions;
    if (versions === undefined) return 0;
    const removed = Math.min(versionIndex(versions, version), versions.length - 1);
    if (removed <= 0) return 0;
    versions.splice(0, removed);
    this.#versionCount -= removed;
    return removed;
  }

  /** Keeps the newest `keepLast` versions of a record; returns how many were removed. */
  prune(botId: string, keepLast: number): number {
    return this.pruneBefore(botId, this.pruneCutoff(botId, keepLast).before);
  }

  /**
   * Every record as the writes that rebuild it (what a compaction writes): its kept versions
   * oldest first, as kept, and the last recorded access of the current one when one was recorded
   * since it was written (`null` otherwise).
   */
  *kept(): Generator<{
    botId: string;
    versions: Array<StoredRegistration | VersionRef<R>>;
    touchedAt: string | null;
  }> {
    for (const [botId, bot] of this.#bots) {
      yield {
        botId,
        versions: bot.versions.map(readKept),
        touchedAt: bot.touched ? currentOf(botId, bot).head.last_accessed_at : null,
      };
    }
  }
}
