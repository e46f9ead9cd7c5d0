/**
 * The {@link RecordStore} port: the small storage interface under `StoreRegistryBackend`.
 * A store implements these calls and gets the whole registry (validation, versions, ETags,
 * history, events) for free: memory (`MemoryRecordStore`), files (`FileRecordStore`, `botknobs/fs`),
 * D1 and Workers KV (`botknobs/d1`, `botknobs/kv`); SQLite, PostgreSQL and IndexedDB are meant to.
 * `recordStoreSuite` (`botknobs/testing`) checks one. Types only: implementations import this
 * file, never the other way round.
 * @module
 */
import type { Page, PageOptions } from "./page.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

export type { Page, PageOptions } from "./page.ts";

/**
 * Conditions on current records a listing can hand to the store ({@link RecordStore.list}).
 * @example
 * const where: RecordFilter = { status: "active" };
 */
export interface RecordFilter {
  /** Only records with this status. */
  status?: string;
}

/** A field of {@link RecordFilter}, as a store declares it in `capabilities.filters`. */
export type RecordFilterField = keyof RecordFilter;

/**
 * Options of {@link RecordStore.list}: a page, and conditions the store pushes down.
 * @example
 * await store.list({ where: { status: "active" }, limit: 100 });
 */
export interface ListOptions extends PageOptions {
  /**
   * Only records matching every condition. A store applies the fields it declares in
   * `capabilities.filters` and may ignore others (callers filter those themselves).
   */
  where?: RecordFilter;
}

/**
 * What a store guarantees, as data; the conformance suite and the poller read it.
 * @example
 * const kv: RecordStoreCapabilities = { consistency: "eventual", visibilityLagMs: 60_000, atomicWrites: false };
 */
export interface RecordStoreCapabilities {
  /** `eventual`: a read may miss a recent write for up to `visibilityLagMs` (Workers KV). */
  consistency: "strong" | "eventual";
  /**
   * The bound L on how late a write shows in `get`, `list` and `revision()`; 0 when strong.
   * The contract, which pollers rely on to never miss a write:
   * 1. a write that completed at time t is reflected by every `get`/`list`/`revision()` call that
   *    starts after t + L;
   * 2. once a `revision()` call has returned a value reflecting a write, every `get`/`list` call
   *    that starts more than L after that call returned sees the write (the revision never runs
   *    ahead of the data by more than L).
   */
  visibilityLagMs: number;
  /** True when `put` with `expectedVersion` (and `touch` with `version`) is a real compare-and-set across processes. */
  atomicWrites: boolean;
  /**
   * The {@link RecordFilter} fields `list({ where })` pushes down (SQL `WHERE`, or a filter
   * before paging); absent or empty: none, and the registry filters the pages it reads.
   */
  filters?: readonly RecordFilterField[];
  /**
   * The largest `config`, `metadata` or `ext` the store takes, as JSON text in UTF-8 bytes; a
   * larger one is refused with `ValidationError` and nothing is written. Absent: no limit of its own.
   */
  maxValueBytes?: number;
}

/** Condition of a {@link RecordStore.put}. */
export interface PutCondition {
  /** `null`: the record must not exist yet. A number: the stored version must equal it. */
  expectedVersion: number | null;
}

/** Condition of a {@link RecordStore.touch}. */
export interface TouchCondition {
  /** The access is recorded only while the stored version still equals this one. */
  version: number;
}

/**
 * Records in the wire form, keyed by `bot_id`, with every version kept. A store that keeps the
 * config as JSON text may return it as that text (`config: string`): it is parsed only if
 * someone reads it. Records handed out are copies: mutating one never changes the store.
 *
 * History: every `put` keeps the version it writes, immutably (atomically with the write, or in
 * an order that never loses one, e.g. "before replacing the head, make sure the current head is
 * in history"). A version's content never changes afterwards; only its `last_accessed_at` is
 * informational (a store may keep the value written or the last one recorded while it was current).
 */
export interface RecordStore {
  /** A short name for errors, e.g. `"sqlite"`. */
  readonly name: string;
  readonly capabilities: RecordStoreCapabilities;
  /** Idempotent (creates tables, opens connections). */
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** The current version of a record, or `null`. */
  get(botId: string): Promise<StoredRegistration | null>;
  /**
   * A page of current records sorted by `bot_id`. A walk (following cursors until there is
   * none) visits every record present for the whole walk exactly once, and no record twice.
   * With `where` on fields the store declares in `capabilities.filters`, only matching records,
   * and every page but the last holds `limit` of them: a filtered walk visits every record that
   * matches for the whole walk exactly once.
   */
  list(options?: ListOptions): Promise<Page<StoredRegistration>>;
  /**
   * Writes a record if the condition holds (false when it does not) and keeps it in history,
   * `ext` included (labels, write context: returned by `get`, `list`, `history`, `getVersion`
   * as written). `record.version` must be greater than `expectedVersion` (the registry writes
   * `expectedVersion + 1`), and `ext` valid (`checkPutRecord`); otherwise `ValidationError`
   * and nothing written. Changes `revision()`.
   */
  put(record: RegistrationDict, condition: PutCondition): Promise<boolean>;
  /**
   * Sets `last_accessed_at` (nothing else, `ext` kept) of the current record, only while its version equals
   * `condition.version` (a store without partial updates compare-and-sets; SQL does
   * `UPDATE … WHERE version = ?`), so a touch never reverts a concurrent `put`. False when not
   * applied (missing, or another version). Never changes `revision()`, never adds history.
   */
  touch(botId: string, lastAccessedAt: string, condition: TouchCondition): Promise<boolean>;
  /**
   * Removes the record, its history and anything kept beside it (an access time): a later `put`
   * of the id starts afresh and inherits nothing. Ids that start with its characters are
   * untouched. False when missing. Changes `revision()`.
   */
  delete(botId: string): Promise<boolean>;
  /** Removes every record, however many pages they fill, with all history; returns their ids. */
  clear(): Promise<string[]>;
  /**
   * A short string that changes whenever `put`, `delete` or `clear` changed something: a value
   * it had before a write never comes back after it. Reads, `touch` and `pruneHistory` never
   * move it. On an eventual store, see `capabilities.visibilityLagMs` for when a write shows.
   */
  revision(): Promise<string>;
  /** A page of a record's versions, newest first (the current one included); empty when missing. */
  history(botId: string, options?: PageOptions): Promise<Page<StoredRegistration>>;
  /** One kept version, or `null` (never written, or removed by `pruneHistory`/`delete`). */
  getVersion(botId: string, version: number): Promise<StoredRegistration | null>;
  /**
   * Keeps the newest `keepLast` versions of this record (an integer ≥ 1, so the current one
   * always stays) and removes its older ones, whatever other records hold; returns how many were
   * removed.
   */
  pruneHistory(botId: string, keepLast: number): Promise<number>;
}
