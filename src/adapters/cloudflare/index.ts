/**
 * botknobs on Cloudflare Workers: the storage adapters over the bindings you pass in (R2 for
 * knowledge files and the search index; D1 or Workers KV for the registry), the Durable Object
 * event bus (the `EventHub` object, `DurableObjectEventBus`, the Worker's `/events` routes through
 * it) and the WebSocket upgrade for the event stream.
 * @module
 */
export * from "../d1/index.ts";
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
export * from "../kv/index.ts";
export * from "../r2/index.ts";
export * from "../vectorize/index.ts";
export * from "../workers-ai/index.ts";
export { upgradeWebSocket } from "./cloudflare-websocket.ts";
