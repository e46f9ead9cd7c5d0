/**
 * The {@link RecordStore} port: the small storage interface under {@link StoreRegistryBackend}.
 * SQLite, D1, PostgreSQL, Workers KV, IndexedDB and files each implement these seven calls and
 * get the whole registry (validation, versions, ETags, events) for free.
 * @module
 */
import type { JsonObject } from "../validate.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

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

/**
 * Records in the wire form, keyed by `bot_id`. A store that keeps the config as JSON text may
 * return it as that text (`config: string`): it is parsed only if someone reads it.
 */
export interface RecordStore {
  /** A short name for errors, e.g. `"sqlite"`. */
  readonly name: string;
  readonly capabilities: RecordStoreCapabilities;
  /** Idempotent (creates tables, opens connections). */
  initialize(): Promise<void>;
  close(): Promise<void>;
  get(botId: string): Promise<StoredRegistration | null>;
  /** Every record, in any order. */
  list(): Promise<StoredRegistration[]>;
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

type Head = Omit<RegistrationDict, "config" | "metadata">;

/** A stored record: its scalar fields (copied out on every read), metadata and config as JSON text. */
interface Entry {
  head: Readonly<Head>;
  metadata: string;
  config: string;
}

/**
 * A {@link RecordStore} in memory. Callers never share objects with storage: the scalar fields
 * are copied out, metadata and config are kept as JSON text (parsing a small record is faster
 * than a deep clone) and the config is handed out unparsed.
 */
export class MemoryRecordStore implements RecordStore {
  readonly name: string = "memory";
  readonly capabilities: RecordStoreCapabilities = { consistency: "strong", atomicWrites: true };
  readonly #records = new Map<string, Entry>();
  // A random epoch makes revisions of two stores (or one store before and after a restart) differ.
  readonly #epoch: string = crypto.randomUUID().slice(0, 8);
  #counter = 0;

  /** The number of records (synchronous, for `toString`). */
  get size(): number {
    return this.#records.size;
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  async get(botId: string): Promise<StoredRegistration | null> {
    const r = this.#records.get(botId);
    return r === undefined ? null : read(r);
  }

  async list(): Promise<StoredRegistration[]> {
    return [...this.#records.values()].map(read);
  }

  #version(botId: string): number | null {
    const r = this.#records.get(botId);
    return r === undefined ? null : r.head.version;
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    if (this.#version(record.bot_id) !== expectedVersion) return false;
    const { config, metadata, ...head } = record as StoredRegistration;
    this.#records.set(record.bot_id, {
      head: Object.freeze(head),
      metadata: JSON.stringify(metadata ?? {}),
      config: typeof config === "string" ? config : JSON.stringify(config),
    });
    this.#counter++;
    return true;
  }

  async touch(botId: string, lastAccessedAt: string): Promise<void> {
    // Read and write without yielding: a put in between must not be overwritten.
    const r = this.#records.get(botId);
    if (r === undefined) return;
    this.#records.set(botId, {
      ...r,
      head: Object.freeze({ ...r.head, last_accessed_at: lastAccessedAt }),
    });
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

function read(entry: Entry): StoredRegistration {
  return {
    ...entry.head,
    metadata: entry.metadata === "{}" ? {} : (JSON.parse(entry.metadata) as JsonObject),
    config: entry.config,
  };
}
