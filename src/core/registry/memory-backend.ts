/**
 * {@link InMemoryBackend}: the registry in memory, for tests and development.
 * @module
 */
import { MemoryRecordStore } from "./memory-record-store.ts";
import { StoreRegistryBackend, type StoreRegistryBackendOptions } from "./store-backend.ts";

/** Options of {@link InMemoryBackend}: those of {@link StoreRegistryBackend} but the store. */
export type InMemoryBackendOptions = Omit<StoreRegistryBackendOptions, "store">;

/**
 * A registry in memory. As in the original system, `close()` drops the data.
 * @example
 * const backend = new InMemoryBackend();
 * await backend.initialize();
 * await backend.register("my-bot", { llm: { provider: "anthropic", model: "claude-3-sonnet" } });
 */
export class InMemoryBackend extends StoreRegistryBackend {
  readonly #records: MemoryRecordStore;

  constructor(options: InMemoryBackendOptions = {}) {
    const store = new MemoryRecordStore();
    super({ ...options, store });
    this.#records = store;
  }

  override async close(): Promise<void> {
    await this.#records.clear();
    await super.close();
  }

  override toString(): string {
    return `InMemoryBackend(count=${this.#records.size})`;
  }
}
