/**
 * The seed's factories knowing `s3`, from `botknobs/s3`: `createKnowledgeBackend("s3", …)`,
 * `createRegistryBackend("s3", …)`, and `s3` as a record store for `DataKnobsRegistryAdapter`.
 * (`botknobs/node`'s factories know `s3` too, loading this adapter when asked for.)
 * @module
 */
import {
  coreKnowledgeBackends,
  createKnowledgeBackend as createKnowledgeWith,
} from "../../core/knowledge/store/factory.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import { coreRecordStores } from "../../core/registry/dataknobs-adapter.ts";
import {
  coreRegistryBackends,
  createRegistryBackend as createRegistryWith,
} from "../../core/registry/factory.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { S3BlobStore } from "./s3-blob-store.ts";
import { s3Entries } from "./s3-config.ts";

const entries = s3Entries((options) => new S3BlobStore(options));

/** The knowledge backend types `botknobs/s3` knows: the core's and `s3`. */
export const s3KnowledgeBackends: FactoryTable<KnowledgeResourceBackend> = {
  ...coreKnowledgeBackends,
  s3: entries.knowledge,
};

/** The registry backend types `botknobs/s3` knows: the core's (`memory`, `http`) and `s3`. */
export const s3RegistryBackends: FactoryTable<RegistryBackend> = {
  ...coreRegistryBackends,
  s3: entries.registry,
};

/**
 * The record store types `botknobs/s3` knows, for the seed's adapter.
 * @example
 * new DataKnobsRegistryAdapter({ backend_type: "s3", backend_config: { bucket: "bots", access_key_id, secret_access_key }, recordStores: s3RecordStores });
 */
export const s3RecordStores: FactoryTable<RecordStore> = {
  ...coreRecordStores,
  s3: entries.recordStore,
};

/**
 * `createKnowledgeBackend` knowing `memory` and `s3` (keys `bucket`, `prefix`, `endpoint_url`,
 * `region`, `access_key_id`, `secret_access_key`, `force_path_style`; also `session_token`,
 * `conditional_writes`, `single_writer`). Not yet initialized.
 * @example
 * const kb = createKnowledgeBackend("s3", { bucket: "knowledge", access_key_id: id, secret_access_key: secret });
 * await kb.initialize();
 */
export function createKnowledgeBackend(
  type: string,
  config: Record<string, unknown> = {},
): KnowledgeResourceBackend {
  return createKnowledgeWith(type, config, s3KnowledgeBackends);
}

/**
 * `createRegistryBackend` knowing `memory`, `http` and `s3` (the keys of
 * {@link createKnowledgeBackend}, and `history_limit`). The registry keeps its records under
 * `prefix` (default `registry/`). Not yet initialized.
 * @example
 * const registry = createRegistryBackend("s3", { bucket: "bots", endpoint_url: "http://127.0.0.1:9000", access_key_id: id, secret_access_key: secret });
 * await registry.initialize();
 */
export function createRegistryBackend(
  type: string,
  config: Record<string, unknown> = {},
): RegistryBackend {
  return createRegistryWith(type, config, s3RegistryBackends);
}
