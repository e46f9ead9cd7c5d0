/**
 * botknobs on Cloudflare Workers: the WebSocket upgrade for the event stream, and the Durable
 * Object event bus (the `EventHub` object, `DurableObjectEventBus`, the Worker's `/events`
 * routes through it). The KV, D1, R2 and Vectorize adapters join this entry as they land.
 * @module
 */
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
export { upgradeWebSocket } from "./websocket.ts";
