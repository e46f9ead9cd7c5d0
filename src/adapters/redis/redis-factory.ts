/**
 * `createEventBus({ backend: "redis", … })` with the seed's keys: the `redis` type of the event
 * bus factory, and a `createEventBus` that knows it besides the core's types.
 * @module
 */
import * as z from "zod/mini";
import {
  coreEventBuses,
  createEventBus as createWith,
  type EventBusConfig,
} from "../../core/events/factory.ts";
import type { EventBus } from "../../core/events/types.ts";
import { type FactoryTable, renameKeys } from "../../core/util/factory.ts";
import { RedisEventBus, type RedisEventBusOptions } from "./redis-event-bus.ts";

const schema = z.strictObject({
  url: z.optional(z.string()),
  connection_string: z.optional(z.string()),
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.int().check(z.minimum(1), z.maximum(65_535))),
  database: z.optional(z.int().check(z.minimum(0))),
  user: z.optional(z.string()),
  password: z.optional(z.string()),
  ssl: z.optional(z.boolean()),
  channel_prefix: z.optional(z.string().check(z.minLength(1))),
  replay_window: z.optional(z.int().check(z.minimum(1))),
  max_event_bytes: z.optional(z.int().check(z.minimum(256))),
  timeout: z.optional(z.number().check(z.positive())),
});

const names = {
  url: "url",
  connection_string: "url",
  host: "host",
  port: "port",
  database: "database",
  user: "username",
  password: "password",
  ssl: "tls",
  channel_prefix: "channelPrefix",
  replay_window: "replayWindow",
  max_event_bytes: "maxEventBytes",
  timeout: "timeout",
};

/**
 * The `redis` event-bus type ({@link RedisEventBus}). Keys: `url` (or `connection_string`,
 * `redis[s]://…`) or `host` (default 127.0.0.1), `port` (6379), `database`, `user`, `password`,
 * `ssl`; and `channel_prefix` (default `"events"`), `replay_window`, `max_event_bytes`,
 * `timeout` (seconds). The `redis` package loads when the bus connects.
 * @example
 * const bus = createEventBus({ backend: "redis", host: "127.0.0.1", port: 6379 }, { ...coreEventBuses, ...redisEventBuses });
 */
export const redisEventBuses: FactoryTable<EventBus> = {
  redis: {
    schema: schema as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) => new RedisEventBus(renameKeys<RedisEventBusOptions>(config, names)),
  },
};

const table: FactoryTable<EventBus> = { ...coreEventBuses, ...redisEventBuses };

/**
 * `createEventBus` knowing `memory`, `sse`, `websocket` and `redis`.
 * @example
 * const bus = createEventBus({ backend: "redis", url: "redis://127.0.0.1:6379" });
 * await bus.connect();
 */
export function createEventBus(config: EventBusConfig = {}): EventBus {
  return createWith(config, table);
}
