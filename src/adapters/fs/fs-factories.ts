/**
 * The registry types `botknobs/node` adds: `createRegistryBackend("file", { path })` (a
 * {@link FileRecordStore} under a {@link StoreRegistryBackend}), and `file` as a record store
 * for the seed's `DataKnobsRegistryAdapter({ backend_type: "file", backend_config: { path } })`;
 * and `s3` for both (`bucket`, `prefix`, `endpoint`, `region`, `access_key_id`,
 * `secret_access_key`), whose adapter loads on first use.
 * @module
 */
import * as z from "zod/mini";
import { coreRecordStores } from "../../core/registry/dataknobs-adapter.ts";
import {
  coreRegistryBackends,
  createRegistryBackend as createWith,
} from "../../core/registry/factory.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { StoreRegistryBackend } from "../../core/registry/store-backend.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { lazyS3Entries } from "../s3/s3-lazy.ts";
import { FileRecordStore } from "./fs-record-store.ts";

const fileSchema = z.strictObject({
  path: z.string().check(z.minLength(1)),
  history_limit: z.optional(z.int().check(z.minimum(1))),
});

/**
 * The record store types `botknobs/node` knows: the core's and `file` (key `path`).
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "file", backend_config: { path: "./data/registry" }, recordStores: nodeRecordStores });
 */
export const nodeRecordStores: FactoryTable<RecordStore> = {
  ...coreRecordStores,
  file: {
    schema: z.strictObject({ path: z.string().check(z.minLength(1)) }) as unknown as z.ZodMiniType<
      Record<string, unknown>
    >,
    create: (config) => new FileRecordStore({ path: config.path as string }),
  },
  s3: lazyS3Entries.recordStore,
};

/**
 * The registry backend types `botknobs/node` knows: the core's (`memory`, `http`) and `file`.
 * @example
 * const backend = createFromTable("registry backend", nodeRegistryBackends, "file", { path: "./data/registry" });
 */
export const nodeRegistryBackends: FactoryTable<RegistryBackend> = {
  ...coreRegistryBackends,
  file: {
    schema: fileSchema as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) =>
      new StoreRegistryBackend({
        store: new FileRecordStore({ path: config.path as string }),
        historyLimit: config.history_limit as number | undefined,
      }),
  },
  s3: lazyS3Entries.registry,
};

/**
 * `createRegistryBackend` knowing `memory`, `http`, `file` (keys `path`, a directory, and
 * `history_limit`, the versions kept per bot; unknown keys are a `ValidationError`) and `s3`
 * (see `botknobs/s3`'s `createRegistryBackend`).
 * @example
 * const backend = createRegistryBackend("file", { path: "./data/registry" });
 * await backend.initialize();
 */
export function createRegistryBackend(
  type: string,
  config: Record<string, unknown> = {},
): RegistryBackend {
  return createWith(type, config, nodeRegistryBackends);
}
