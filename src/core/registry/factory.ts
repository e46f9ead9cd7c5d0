/**
 * `createRegistryBackend(type, config)`: the seed's factory. The core knows `memory` and `http`;
 * `botknobs/node` exports a factory that also knows `file`; the other adapter entries are to
 * export theirs likewise.
 * @module
 */
import * as z from "zod/mini";
import { createFromTable, type FactoryTable } from "../util/factory.ts";
import { httpRegistryEntry } from "./http-factory.ts";
import { InMemoryBackend } from "./memory-backend.ts";
import type { RegistryBackend } from "./types.ts";

/** The registry backend types the core knows. */
export const coreRegistryBackends: FactoryTable<RegistryBackend> = {
  memory: {
    // `history_limit`: the versions kept per bot (default all).
    schema: z.strictObject({
      history_limit: z.optional(z.int().check(z.minimum(1))),
    }) as unknown as z.ZodMiniType<Record<string, unknown>>,
    create: (config) =>
      new InMemoryBackend({ historyLimit: config.history_limit as number | undefined }),
  },
  http: httpRegistryEntry,
};

/**
 * Makes a registry backend from configuration (not yet initialized). An unknown type or key
 * throws `ValidationError` naming the types or keys accepted.
 * @example
 * const backend = createRegistryBackend("memory", {});
 * await backend.initialize();
 */
export function createRegistryBackend(
  type: string,
  config: Record<string, unknown> = {},
  table: FactoryTable<RegistryBackend> = coreRegistryBackends,
): RegistryBackend {
  return createFromTable("registry backend", table, type, config);
}
