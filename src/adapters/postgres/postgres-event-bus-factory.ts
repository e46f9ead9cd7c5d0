/**
 * `createEventBus({ backend: "postgres", … })` with the seed's keys: the `postgres` type of the
 * event bus factory, and a `createEventBus` that knows it besides the core's types.
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
import { PostgresEventBus, type PostgresEventBusOptions } from "./postgres-event-bus.ts";

const schema = z.strictObject({
  connection_string: z.optional(z.string()),
  url: z.optional(z.string()),
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.int().check(z.minimum(1), z.maximum(65_535))),
  database: z.optional(z.string().check(z.minLength(1))),
  user: z.optional(z.string()),
  password: z.optional(z.string()),
  ssl: z.optional(z.boolean()),
  channel_prefix: z.optional(z.string()),
  table: z.optional(z.string()),
  replay_window: z.optional(z.int().check(z.minimum(1))),
  max_event_bytes: z.optional(z.int().check(z.minimum(256))),
  timeout: z.optional(z.number().check(z.positive())),
});

const names = {
  url: "connectionString",
  connection_string: "connectionString",
  host: "host",
  port: "port",
  database: "database",
  user: "user",
  password: "password",
  ssl: "ssl",
  channel_prefix: "channelPrefix",
  table: "table",
  replay_window: "replayWindow",
  max_event_bytes: "maxEventBytes",
  timeout: "timeout",
};

/**
 * The `postgres` event-bus type ({@link PostgresEventBus}). Keys: `connection_string` (or
 * `url`, `postgres://…`) or `host`, `port`, `database`, `user`, `password`, `ssl`; and
 * `channel_prefix` (the NOTIFY channel, default `"events"`), `table` (default
 * `"botknobs_events"`), `replay_window`, `max_event_bytes` (≤ 7900), `timeout` (seconds). The
 * `postgres` package loads when the bus connects.
 * @example
 * const bus = createEventBus({ backend: "postgres", host: "127.0.0.1", database: "test" }, { ...coreEventBuses, ...postgresEventBuses });
 */
export const postgresEventBuses: FactoryTable<EventBus> = {
  postgres: {
    schema: schema as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) => new PostgresEventBus(renameKeys<PostgresEventBusOptions>(config, names)),
  },
};

const table: FactoryTable<EventBus> = { ...coreEventBuses, ...postgresEventBuses };

/**
 * `createEventBus` knowing `memory`, `sse`, `websocket` and `postgres`.
 * @example
 * const bus = createEventBus({ backend: "postgres", connection_string: "postgres://postgres@127.0.0.1/test" });
 * await bus.connect();
 */
export function createEventBus(config: EventBusConfig = {}): EventBus {
  return createWith(config, table);
}
