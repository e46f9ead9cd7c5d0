/**
 * `botknobs/durable-object`: the Durable Object event bus — {@link EventHub} (the object the
 * Worker exports), {@link DurableObjectEventBus} (an `EventBus` over it, for any isolate) and
 * {@link eventHubRoutes} (the Worker's `/events` through it). Also in `botknobs/cloudflare`.
 * @module
 */
export {
  DurableObjectEventBus,
  type DurableObjectEventBusOptions,
  hubCaller,
} from "./durable-object-event-bus.ts";
export {
  EventHub,
  MAX_EVENT_BYTES,
  REPLAY_WINDOW,
  REPLAY_WINDOW_BYTES,
} from "./durable-object-hub.ts";
export { type EventHubRoutesOptions, eventHubRoutes } from "./durable-object-routes.ts";
export type { EventHubNamespace, EventHubStub } from "./types.ts";
