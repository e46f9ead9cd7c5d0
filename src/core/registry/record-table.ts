/**
 * {@link RecordTable}: the records and their versions in memory, synchronously. It is the state
 * of {@link MemoryRecordStore} and the replayed state of the file store's journal: one
 * implementation of the port's rules (compare-and-set, conditional touch, history pages).
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { JsonObject } from "../validate.ts";
import { type Page, type PageOptions, pageLimit } from "./page.ts";
import { checkExt, type RecordExt } from "./record-ext.ts";
import type { ListOptions, RecordFilter } from "./record-store.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

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

interface Bot {
  /** The current version, with the last recorded access. */
  current: Entry;
  /** Every kept version as written, oldest first (the last one is the current one's write). */
  versions: Entry[];
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

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${field}: ${message}`, [{ path: [field], message }]);
}

/**
 * The check every `RecordStore.put` makes before writing: `record.version` is an integer above
 * `expectedVersion` (above 0 when creating); otherwise a `ValidationError` naming `version`.
 * @example
 * checkPutVersion(record, 1); // throws unless record.version is an integer > 1
 */
export function checkPutVersion(
  record: Pick<RegistrationDict, "bot_id" | "version">,
  expectedVersion: number | null,
): void {
  const { version } = record;
  if (!Number.isInteger(version) || version < 1 || version <= (expectedVersion ?? 0)) {
    throw invalid(
      "version",
      `${version} of bot '${record.bot_id}' must be an integer greater than ${expectedVersion ?? 0}`,
    );
  }
}

/**
 * Every check a `RecordStore.put` makes before writing: {@link checkPutVersion}, and a valid
 * `ext` (`checkExt`: known keys, label names and versions, the write context's lengths).
 * `ValidationError` otherwise, so nothing is written.
 * @example
 * checkPutRecord(record, expectedVersion);
 */
export function checkPutRecord(
  record: Pick<RegistrationDict, "bot_id" | "version" | "ext">,
  expectedVersion: number | null,
): void {
  checkPutVersion(record, expectedVersion);
  checkExt(record.ext, record.version);
}

/**
 * The `cursor` of a history page (the version the page stopped at), checked: a history page
 * starts below it. `ValidationError` naming `cursor` when it is not one.
 */
export function historyCursor(cursor: string | undefined): number {
  if (cursor === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d{1,15}$/.test(cursor))
    throw invalid("cursor", `${JSON.stringify(cursor)} is not a history cursor`);
  return Number(cursor);
}

/** `keepLast` of a prune, checked: an integer ≥ 1 (`ValidationError` naming `keepLast`). */
export function checkKeepLast(keepLast: number): void {
  if (!Number.isInteger(keepLast) || keepLast < 1)
    throw invalid("keepLast", `${keepLast} must be an integer of at least 1`);
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
function versionIndex(versions: Entry[], version: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((versions[mid] as Entry).head.version < version) lo = mid + 1;
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
export class RecordTable {
  readonly #bots = new Map<string, Bot>();
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
    return bot === undefined ? null : read(bot.current);
  }

  /** The current version of a record, or `null`. */
  version(botId: string): number | null {
    return this.#bots.get(botId)?.current.head.version ?? null;
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
    for (let i = start; i < end; i++)
      items.push(read((this.#bots.get(ids[i] as string) as Bot).current));
    return end < ids.length ? { items, cursor: ids[end - 1] as string } : { items };
  }

  /** The matching records from `start` on, up to `limit`; a cursor when one more matches. */
  #filtered(start: number, limit: number, where: RecordFilter): Page<StoredRegistration> {
    const ids = this.#sorted as string[];
    const items: StoredRegistration[] = [];
    for (let i = start; i < ids.length; i++) {
      const entry = (this.#bots.get(ids[i] as string) as Bot).current;
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

  /** Writes `record` when the current version is `expectedVersion` (`null`: absent). */
  put(record: RegistrationDict | StoredRegistration, expectedVersion: number | null): boolean {
    if (!this.accepts(record, expectedVersion)) return false;
    const bot = this.#bots.get(record.bot_id);
    const entry = toEntry(record);
    if (bot) {
      bot.current = entry;
      bot.versions.push(entry);
    } else {
      this.#bots.set(record.bot_id, { current: entry, versions: [entry] });
      this.#sorted?.splice(bound(this.#sorted, record.bot_id, false), 0, record.bot_id);
    }
    this.#changes++;
    this.#versionCount++;
    return true;
  }

  /** Records an access while the current version is `version`; false when not applied. */
  touch(botId: string, lastAccessedAt: string, version: number): boolean {
    const bot = this.#bots.get(botId);
    if (bot === undefined || bot.current.head.version !== version) return false;
    // A new entry: the version kept in history is left as it was written.
    bot.current = {
      ...bot.current,
      head: Object.freeze({ ...bot.current.head, last_accessed_at: lastAccessedAt }),
    };
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

  /** A page of a record's versions, newest first; the cursor is the last version of the page. */
  history(botId: string, options: PageOptions = {}): Page<StoredRegistration> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    const versions = this.#bots.get(botId)?.versions ?? [];
    const from = versionIndex(versions, below) - 1;
    const to = Math.max(from - limit, -1);
    const items: StoredRegistration[] = [];
    for (let i = from; i > to; i--) items.push(read(versions[i] as Entry));
    return to >= 0 ? { items, cursor: String(versions[to + 1]?.head.version) } : { items };
  }

  getVersion(botId: string, version: number): StoredRegistration | null {
    const versions = this.#bots.get(botId)?.versions;
    if (versions === undefined) return null;
    const entry = versions[versionIndex(versions, version)];
    return entry?.head.version === version ? read(entry) : null;
  }

  /**
   * What `prune(botId, keepLast)` would do: remove the versions below `before`, `removed` of them.
   * `keepLast` must be an integer ≥ 1 (`ValidationError`).
   */
  pruneCutoff(botId: string, keepLast: number): { before: number; removed: number } {
    checkKeepLast(keepLast);
    const versions = this.#bots.get(botId)?.versions ?? [];
    const removed = Math.max(versions.length - keepLast, 0);
    return { before: removed > 0 ? (versions[removed] as Entry).head.version : 0, removed };
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
   * Every record as the writes that rebuild it: its kept versions oldest first, and the last
   * recorded access of the current one (what a compaction writes).
   */
  *dump(): Generator<{ versions: StoredRegistration[]; lastAccessedAt: string }> {
    for (const bot of this.#bots.values()) {
      yield {
        versions: bot.versions.map(read),
        lastAccessedAt: bot.current.head.last_accessed_at,
      };
    }
  }
}
