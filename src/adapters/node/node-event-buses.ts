/**
 * The event-bus types `botknobs/node` knows: the core's (`memory`, `sse`, `websocket`), `redis`
 * and `postgres` — each bus's client package loads only when such a bus connects.
 * @module
 */
import {
  coreEventBuses,
  createEventBus as createWith,
  type EventBusConfig,
} from "../../core/events/factory.ts";
import type { EventBus } from "../../core/events/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { postgresEventBuses } from "../postgres/postgres-event-bus-factory.ts";
import { redisEventBuses } from "../redis/index.ts";

/**
 * `memory`, `sse`, `websocket`, `redis` and `postgres`.
 * @example
 * const bus = createFromTable("event bus", nodeEventBuses, "redis", { host: "127.0.0.1" });
 */
export const nodeEventBuses: FactoryTable<EventBus> = {
  ...coreEventBuses,
  ...redisEventBuses,
  ...postgresEventBuses,
};

/**
 * The seed's `createEventBus(config)`, knowing `redis` (keys `host`, `port`, `database`,
 * `user`, `password`, `ssl`, `url`, `channel_prefix`, …) and `postgres` (`connection_string`
 * or `host`, `port`, `database`, `user`, `password`, `ssl`; `channel_prefix`, `table`, …)
 * besides the core's types. Unknown backends or keys throw `ValidationError`.
 * @example
 * const bus = createEventBus({ backend: "redis", host: "127.0.0.1", port: 6379 });
 * await bus.connect();
 */
export function createEventBus(config: EventBusConfig = {}): EventBus {
  return createWith(config, nodeEventBuses);
}
