/**
 * `createEventBus(config)`: the seed's factory. The core knows `memory`, and `sse` and
 * `websocket` (clients of a `botknobs/server`); adapter entries add theirs.
 * @module
 */
import * as z from "zod/mini";
import { ValidationError } from "../errors.ts";
import { createFromTable, type FactoryTable } from "../util/factory.ts";
import { httpEventBuses } from "./http-factory.ts";
import { InMemoryEventBus } from "./memory-bus.ts";
import type { EventBus } from "./types.ts";

/** The event-bus types the core knows. */
export const coreEventBuses: FactoryTable<EventBus> = {
  memory: { schema: z.strictObject({}), create: () => new InMemoryEventBus() },
  ...httpEventBuses,
};

/** The entries that know the bus types an adapter adds, for the error of a table without them. */
const ELSEWHERE: Readonly<Record<string, string>> = {
  redis: "botknobs/redis or botknobs/node",
  postgres: "botknobs/postgres or botknobs/node",
  "durable-object": "botknobs/cloudflare",
};

/** Configuration of {@link createEventBus}: `backend` (default `"memory"`) plus that backend's keys. */
export interface EventBusConfig {
  backend?: string;
  [key: string]: unknown;
}

/**
 * Makes an event bus from configuration. Unknown backends or keys throw `ValidationError`.
 * @example
 * const bus = createEventBus({ backend: "memory" });
 * await bus.connect();
 */
export function createEventBus(
  config: EventBusConfig = {},
  table: FactoryTable<EventBus> = coreEventBuses,
): EventBus {
  const { backend = "memory", ...rest } = config ?? {};
  const entry = typeof backend === "string" ? ELSEWHERE[backend.toLowerCase()] : undefined;
  if (entry && !Object.hasOwn(table, backend.toLowerCase())) {
    const known = Object.keys(table).join(", ");
    throw new ValidationError(
      `Unknown event bus type: ${backend}. Supported types: ${known} (the ${backend} bus: import createEventBus from ${entry})`,
      [{ path: ["backend"], message: `expected one of ${known}` }],
    );
  }
  return createFromTable("event bus", table, backend, rest);
}
