/**
 * The Durable Object event bus: {@link EventHub} (the object the Worker exports),
 * {@link DurableObjectEventBus} (an `EventBus` over it, for any isolate) and
 * {@link eventHubRoutes} (the Worker's `/events` through it). Exported from `botknobs/cloudflare`.
 * @module
 */
export {
  DurableObjectEventBus,
  type DurableObjectEventBusOptions,
  type EventHubNamespace,
  type EventHubStub,
  hubCaller,
} from "./durable-object-event-bus.ts";
export {
  EventHub,
  MAX_EVENT_BYTES,
  REPLAY_WINDOW,
  REPLAY_WINDOW_BYTES,
} from "./durable-object-hub.ts";
export { type EventHubRoutesOptions, eventHubRoutes } from "./durable-object-routes.ts";
