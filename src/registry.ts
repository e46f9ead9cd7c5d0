/**
 * The registry: backends, caching, hot reload and portability (the seed's `dataknobs_bots.registry`).
 * @module
 */
export {
  type CacheStats,
  CachingRegistryManager,
  type CachingRegistryManagerOptions,
  type GetOrCreateOptions,
  type Served,
} from "./core/caching/caching-manager.ts";
export {
  ConfigCachingManager,
  type ConfigCachingManagerOptions,
  ResolvedConfig,
} from "./core/caching/config-caching-manager.ts";
export { PortabilityError } from "./core/errors.ts";
export {
  hasResourceReferences,
  isPortable,
  type ValidatePortabilityOptions,
  validatePortability,
} from "./core/portability.ts";
export {
  AuditAction,
  type AuditEntry,
  type AuditEntryDict,
} from "./core/registry/audit-entry.ts";
export { RegistryBackendBase } from "./core/registry/base-backend.ts";
export {
  BlobRecordStore,
  type BlobRecordStoreOptions,
} from "./core/registry/blob-record-store.ts";
export {
  DataKnobsRegistryAdapter,
  type DataKnobsRegistryAdapterOptions,
} from "./core/registry/dataknobs-adapter.ts";
export { createRegistryBackend } from "./core/registry/factory.ts";
export {
  HTTPRegistryBackend,
  type HTTPRegistryBackendOptions,
} from "./core/registry/http-backend.ts";
export {
  checkRevision,
  KNOWLEDGE_PIN_KEY,
  type KnowledgePin,
  knowledgePinOf,
} from "./core/registry/knowledge-pin.ts";
export {
  type BotLabels,
  type BotLabelsDict,
  LATEST_LABEL,
  type LabelTarget,
  type LabelView,
  type SplitShare,
} from "./core/registry/labels.ts";
export { InMemoryBackend, type InMemoryBackendOptions } from "./core/registry/memory-backend.ts";
export { MemoryRecordStore } from "./core/registry/memory-record-store.ts";
export {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type Page,
  type PageOptions,
} from "./core/registry/page.ts";
export type { RecordExt, WriteContext } from "./core/registry/record-ext.ts";
export type {
  ListOptions,
  PutCondition,
  RecordFilter,
  RecordFilterField,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "./core/registry/record-store.ts";
export {
  computeEtag,
  Registration,
  type RegistrationDict,
  type RegistrationInit,
  type StoredRegistration,
} from "./core/registry/registration.ts";
export {
  StoreRegistryBackend,
  type StoreRegistryBackendOptions,
} from "./core/registry/store-backend.ts";
export {
  type AuditOptions,
  type LabeledReadOptions,
  type LabelWriteOptions,
  type ListPageOptions,
  REGISTRY_TOPIC,
  type RegisterOptions,
  type RegistryBackend,
  type RegistryCapabilities,
  type RollbackOptions,
  type UpdateOptions,
  type WriteContextOptions,
} from "./core/registry/types.ts";
export {
  HotReloadManager,
  type HotReloadManagerOptions,
  type HotReloadStats,
  ReloadMode,
} from "./core/reload/hot-reload.ts";
export {
  type ChangeCallback,
  type RegistryChange,
  RegistryPoller,
  type RegistryPollerOptions,
} from "./core/reload/poller.ts";
export type { JsonPatchOperation } from "./core/util/json-patch.ts";
