/**
 * Events: the {@link EventBus} port, the in-memory bus, the remote buses over a
 * `botknobs/server` (Server-Sent Events, WebSocket) and `createEventBus`.
 * @module
 */
export { Event, type EventDict, type EventInit, EventType } from "./core/events/event.ts";
export { createEventBus, type EventBusConfig } from "./core/events/factory.ts";
export { matchTopic } from "./core/events/glob.ts";
export { InMemoryEventBus, type InMemoryEventBusOptions } from "./core/events/memory-bus.ts";
export {
  RemoteEventBus,
  type RemoteEventBusOptions,
  type StreamCallbacks,
} from "./core/events/remote-bus.ts";
export { SSEEventBus, type SSEEventBusOptions } from "./core/events/sse-bus.ts";
export { SubscriptionTable } from "./core/events/subscriptions.ts";
export type {
  ErrorReporter,
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "./core/events/types.ts";
export {
  type WebSocketConnect,
  WebSocketEventBus,
  type WebSocketEventBusOptions,
  type WebSocketLike,
} from "./core/events/ws-bus.ts";
