/**
 * {@link storeFactoryEntries}: a record store type for the seed's two factories at once — the
 * store by name for `DataKnobsRegistryAdapter({ backend_type, backend_config })`, and a
 * `StoreRegistryBackend` over it (with `history_limit`) for `createRegistryBackend(type, config)`.
 * @module
 */
import * as z from "zod/mini";
import type { FactoryEntry } from "../util/factory.ts";
import type { RecordStore } from "./record-store.ts";
import { StoreRegistryBackend } from "./store-backend.ts";
import type { RegistryBackend } from "./types.ts";

/** The two factory entries of one record store type. */
export interface StoreFactoryEntries {
  /** For `DataKnobsRegistryAdapter` (`recordStores`): the store's own keys. */
  store: FactoryEntry<RecordStore>;
  /** For `createRegistryBackend`: the store's keys and `history_limit` (versions kept per bot). */
  backend: FactoryEntry<RegistryBackend>;
}

/**
 * The entries of a store type configured by `keys` (zod shapes; unknown keys are rejected) and
 * made by `create` from the keys given.
 * @example
 * const { store, backend } = storeFactoryEntries({ path: z.string() }, (c) => new MyStore(c));
 */
export function storeFactoryEntries(
  keys: Record<string, z.ZodMiniType>,
  create: (config: Record<string, unknown>) => RecordStore,
): StoreFactoryEntries {
  const schema = (shape: Record<string, z.ZodMiniType>) =>
    z.strictObject(shape) as unknown as z.ZodMiniType<Record<string, unknown>>;
  return {
    store: { schema: schema(keys), create },
    backend: {
      schema: schema({ ...keys, history_limit: z.optional(z.int().check(z.minimum(1))) }),
      create: ({ history_limit, ...config }) =>
        new StoreRegistryBackend({
          store: create(config),
          historyLimit: history_limit as number | undefined,
        }),
    },
  };
}
