/**
 * {@link MemoryRecordStore}: the {@link RecordStore} port in memory (strongly consistent,
 * atomic, with history).
 * @module
 */
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "./record-store.ts";
import { RecordTable } from "./record-table.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

/**
 * A {@link RecordStore} in memory. Callers never share objects with storage: scalar fields are
 * copied out, metadata, config and `ext` are kept as JSON text and the config is handed out
 * unparsed. `list({ where: { status } })` filters before paging (`capabilities.filters`).
 * Every call runs without yielding in between, so compare-and-set and touch are atomic.
 * @example
 * const store = new MemoryRecordStore();
 * const backend = new StoreRegistryBackend({ store });
 */
export class MemoryRecordStore implements RecordStore {
  readonly name: string = "memory";
  readonly capabilities: RecordStoreCapabilities = {
    consistency: "strong",
    visibilityLagMs: 0,
    atomicWrites: true,
    filters: ["status"],
  };
  readonly #table = new RecordTable();
  // A random epoch makes revisions of two stores (or one store before and after a restart) differ.
  readonly #epoch: string = crypto.randomUUID().slice(0, 8);

  /** The number of records (synchronous, for `toString`). */
  get size(): number {
    return this.#table.size;
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  async get(botId: string): Promise<StoredRegistration | null> {
    return this.#table.get(botId);
  }

  async list(options?: ListOptions): Promise<Page<StoredRegistration>> {
    return this.#table.list(options);
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    return this.#table.put(record, expectedVersion);
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    return this.#table.touch(botId, lastAccessedAt, version);
  }

  async delete(botId: string): Promise<boolean> {
    return this.#table.delete(botId);
  }

  async clear(): Promise<string[]> {
    return this.#table.clear();
  }

  async revision(): Promise<string> {
    return `${this.#epoch}-${this.#table.changes}`;
  }

  async history(botId: string, options?: PageOptions): Promise<Page<StoredRegistration>> {
    return this.#table.history(botId, options);
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    return this.#table.getVersion(botId, version);
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    return this.#table.prune(botId, keepLast);
  }
}
