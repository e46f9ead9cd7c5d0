/**
 * `createEventBus(config)`: the seed's factory. The core knows `memory`, and `sse` and
 * `websocket` (clients of a `botknobs/server`); adapter entries add theirs.
 * @module
 */
import * as z from "zod/mini";
import { createFromTable, type FactoryTable } from "../util/factory.ts";
import { httpEventBuses } from "./http-factory.ts";
import { InMemoryEventBus } from "./memory-bus.ts";
import type { EventBus } from "./types.ts";

/** The event-bus types the core knows. */
export const coreEventBuses: FactoryTable<EventBus> = {
  memory: { schema: z.strictObject({}), create: () => new InMemoryEventBus() },
  ...httpEventBuses,
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
  return createFromTable("event bus", table, backend, rest);
}
