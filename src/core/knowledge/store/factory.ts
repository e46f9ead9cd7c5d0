/**
 * `createKnowledgeBackend(type, config)`: the seed's factory. The core knows `memory`;
 * `botknobs/node`'s adds `file` (`r2` and `indexeddb` are to come with their adapters).
 * @module
 */
import * as z from "zod/mini";
import { createFromTable, type FactoryTable } from "../../util/factory.ts";
import { InMemoryKnowledgeBackend } from "./memory-backend.ts";
import type { KnowledgeResourceBackend } from "./types.ts";

/** The knowledge backend types the core knows. */
export const coreKnowledgeBackends: FactoryTable<KnowledgeResourceBackend> = {
  memory: { schema: z.strictObject({}), create: () => new InMemoryKnowledgeBackend() },
};

/**
 * Makes a knowledge backend from configuration (not yet initialized); unknown types or keys
 * throw `ValidationError`.
 * @example
 * const backend = createKnowledgeBackend("memory", {});
 */
export function createKnowledgeBackend(
  type: string,
  config: Record<string, unknown> = {},
  table: FactoryTable<KnowledgeResourceBackend> = coreKnowledgeBackends,
): KnowledgeResourceBackend {
  return createFromTable("knowledge backend", table, type, config);
}
