/**
 * botknobs on Cloudflare Workers: the storage adapters over the bindings you pass in (R2 for
 * knowledge files and the search index; D1 or Workers KV for the registry), the Durable Object
 * event bus (the `EventHub` object, `DurableObjectEventBus`, the Worker's `/events` routes through
 * it) and the WebSocket upgrade for the event stream.
 * @module
 */
export {
  D1_MAX_BOUND_PARAMETERS,
  D1_MAX_VALUE_BYTES,
  D1RecordStore,
  type D1RecordStoreOptions,
} from "../d1/d1-record-store.ts";
export {
  DurableObjectEventBus,
  type DurableObjectEventBusOptions,
  EventHub,
  type EventHubNamespace,
  type EventHubRoutesOptions,
  type EventHubStub,
  eventHubRoutes,
  hubCaller,
  MAX_EVENT_BYTES,
  REPLAY_WINDOW,
  REPLAY_WINDOW_BYTES,
} from "../durable-object/index.ts";
export {
  KV_MAX_BULK_GET,
  KV_MAX_KEY_BYTES,
  KV_MAX_VALUE_BYTES,
  KV_MIN_WRITE_INTERVAL_MS,
} from "../kv/kv-limits.ts";
export { KVRecordStore, type KVRecordStoreOptions } from "../kv/kv-record-store.ts";
export {
  R2_MAX_KEY_BYTES,
  R2_MAX_KEYS_PER_CALL,
  R2BlobStore,
  type R2BlobStoreOptions,
} from "../r2/r2-blob-store.ts";
export * from "../vectorize/index.ts";
export * from "../workers-ai/index.ts";
export { upgradeWebSocket } from "./websocket.ts";
