/**
 * {@link DataKnobsRegistryAdapter}: the seed's name for {@link StoreRegistryBackend}, which also
 * takes the seed's constructor form (`backend_type` / `backend_config`).
 * @module
 */
import * as z from "zod/mini";
import { createFromTable, type FactoryTable } from "../util/factory.ts";
import { MemoryRecordStore } from "./memory-record-store.ts";
import type { RecordStore } from "./record-store.ts";
import { StoreRegistryBackend, type StoreRegistryBackendOptions } from "./store-backend.ts";

/**
 * The record stores the core can make by name: `memory` (and the seed's `mem`). `botknobs/node`
 * adds `file` (`nodeRecordStores`).
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "mem", recordStores: coreRecordStores });
 */
export const coreRecordStores: FactoryTable<RecordStore> = {
  memory: { schema: z.strictObject({}), create: () => new MemoryRecordStore() },
  mem: { schema: z.strictObject({}), create: () => new MemoryRecordStore() },
};

/**
 * Options of {@link DataKnobsRegistryAdapter}: those of {@link StoreRegistryBackend}, where the
 * store may instead be named the seed's way (`backendType`/`backend_type`, default `"memory"`,
 * with `backendConfig`/`backend_config`).
 */
export interface DataKnobsRegistryAdapterOptions
  extends Omit<StoreRegistryBackendOptions, "store"> {
  store?: RecordStore;
  backendType?: string;
  backend_type?: string;
  backendConfig?: Record<string, unknown>;
  backend_config?: Record<string, unknown>;
  /** The store types known by name (default {@link coreRecordStores}). */
  recordStores?: FactoryTable<RecordStore>;
}

/**
 * The seed's `DataKnobsRegistryAdapter`: a {@link StoreRegistryBackend} (it is one) that also
 * builds its store from the seed's keys. Unknown types or config keys are a `ValidationError`.
 * @example
 * const backend = new DataKnobsRegistryAdapter({ backendType: "memory" });
 * const same = new DataKnobsRegistryAdapter({ backend_type: "memory", backend_config: {} });
 * const file = new DataKnobsRegistryAdapter({ backend_type: "file", backend_config: { path: "./data/registry" }, recordStores: nodeRecordStores });
 */
export class DataKnobsRegistryAdapter extends StoreRegistryBackend {
  constructor(options: DataKnobsRegistryAdapterOptions = {}) {
    const {
      store,
      backendType,
      backend_type,
      backendConfig,
      backend_config,
      recordStores,
      ...rest
    } = options;
    super({
      ...rest,
      store:
        store ??
        createFromTable(
          "record store",
          recordStores ?? coreRecordStores,
          backendType ?? backend_type ?? "memory",
          backendConfig ?? backend_config ?? {},
        ),
    });
  }

  /**
   * The seed's `from_config`: `backend` names the store (default `"memory"`), the other keys
   * configure it.
   * @example
   * const backend = DataKnobsRegistryAdapter.fromConfig({ backend: "memory" });
   */
  static fromConfig(
    config: Record<string, unknown> = {},
    recordStores: FactoryTable<RecordStore> = coreRecordStores,
  ): DataKnobsRegistryAdapter {
    const { backend = "memory", ...backendConfig } = config;
    return new DataKnobsRegistryAdapter({
      backendType: String(backend),
      backendConfig,
      recordStores,
    });
  }

  override toString(): string {
    return `DataKnobsRegistryAdapter(${this.store.name})`;
  }
}
