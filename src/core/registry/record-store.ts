/**
 * The {@link RecordStore} port: the small storage interface under {@link StoreRegistryBackend}.
 * SQLite, D1, PostgreSQL, Workers KV, IndexedDB and files each implement these seven calls and
 * get the whole registry (validation, versions, ETags, events) for free.
 * @module
 */
import type { RegistrationDict } from "./registration.ts";

/** What a store guarantees, as data; the conformance suite gates on it. */
export interface RecordStoreCapabilities {
  /** `eventual`: a read may miss a recent write (Workers KV). */
  consistency: "strong" | "eventual";
  /** True when `put` with `expectedVersion` is a real compare-and-set across processes. */
  atomicWrites: boolean;
}

/** Condition of a {@link RecordStore.put}. */
export interface PutCondition {
  /** `null`: the record must not exist yet. A number: the stored version must equal it. */
  expectedVersion: number | null;
}

/** Records in the wire form, keyed by `bot_id`. */
export interface RecordStore {
  /** A short name for errors, e.g. `"sqlite"`. */
  readonly name: string;
  readonly capabilities: RecordStoreCapabilities;
  /** Idempotent (creates tables, opens connections). */
  initialize(): Promise<void>;
  close(): Promise<void>;
  get(botId: string): Promise<RegistrationDict | null>;
  /** Every record, in any order. */
  list(): Promise<RegistrationDict[]>;
  /** Writes a record if the condition holds; false when it does not. Changes `revision()`. */
  put(record: RegistrationDict, condition: PutCondition): Promise<boolean>;
  /** Sets `last_accessed_at` only; a no-op when missing. Does not change `revision()`. */
  touch(botId: string, lastAccessedAt: string): Promise<void>;
  /** False when missing. Changes `revision()`. */
  delete(botId: string): Promise<boolean>;
  /** Deletes every record; returns the ids that were deleted. */
  clear(): Promise<string[]>;
  /** Changes whenever `put`, `delete` or `clear` changed something. */
  revision(): Promise<string>;
}

/**
 * A {@link RecordStore} in memory. Records are kept as JSON text and parsed on the way out, so
 * callers never share objects with storage (parsing a small record is faster than a deep clone).
 */
export class MemoryRecordStore implements RecordStore {
  readonly name: string = "memory";
  readonly capabilities: RecordStoreCapabilities = { consistency: "strong", atomicWrites: true };
  readonly #records = new Map<string, string>();
  // A random epoch makes revisions of two stores (or one store before and after a restart) differ.
  readonly #epoch: string = crypto.randomUUID().slice(0, 8);
  #counter = 0;

  /** The number of records (synchronous, for `toString`). */
  get size(): number {
    return this.#records.size;
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  async get(botId: string): Promise<RegistrationDict | null> {
    const r = this.#records.get(botId);
    return r === undefined ? null : (JSON.parse(r) as RegistrationDict);
  }

  async list(): Promise<RegistrationDict[]> {
    return [...this.#records.values()].map((r) => JSON.parse(r) as RegistrationDict);
  }

  #version(botId: string): number | null {
    const r = this.#records.get(botId);
    return r === undefined ? null : (JSON.parse(r) as RegistrationDict).version;
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    if (this.#version(record.bot_id) !== expectedVersion) return false;
    this.#records.set(record.bot_id, JSON.stringify(record));
    this.#counter++;
    return true;
  }

  async touch(botId: string, lastAccessedAt: string): Promise<void> {
    // Read and write without yielding: a put in between must not be overwritten.
    const r = this.#records.get(botId);
    if (r === undefined) return;
    this.#records.set(
      botId,
      JSON.stringify({ ...(JSON.parse(r) as RegistrationDict), last_accessed_at: lastAccessedAt }),
    );
  }

  async delete(botId: string): Promise<boolean> {
    const had = this.#records.delete(botId);
    if (had) this.#counter++;
    return had;
  }

  async clear(): Promise<string[]> {
    const ids = [...this.#records.keys()];
    this.#records.clear();
    if (ids.length) this.#counter++;
    return ids;
  }

  async revision(): Promise<string> {
    return `${this.#epoch}-${this.#counter}`;
  }
}
