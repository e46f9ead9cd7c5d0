/**
 * The one mechanism behind `createRegistryBackend`, `createEventBus` and `createKnowledgeBackend`:
 * a table of named makers, each with the zod schema of its configuration keys. Adapter entries
 * (`botknobs/node`, `botknobs/cloudflare`, …) extend the core table with their own types.
 * @module
 */
import type * as z from "zod/mini";
import { ValidationError } from "../errors.ts";
import { parseWith } from "../validate.ts";

/** One named kind of thing a factory can make. */
export interface FactoryEntry<T> {
  /** The configuration keys this type accepts (unknown keys are rejected). */
  schema: z.ZodMiniType<Record<string, unknown>>;
  create(config: Record<string, unknown>): T;
}

/** A table of the types one factory knows, by lower-case name. */
export type FactoryTable<T> = Readonly<Record<string, FactoryEntry<T>>>;

/** Makes a `T` of the named type, or throws {@link ValidationError} listing the types known. */
export function createFromTable<T>(
  what: string,
  table: FactoryTable<T>,
  type: unknown,
  config: unknown = {},
): T {
  const known = Object.keys(table).join(", ");
  if (typeof type !== "string") {
    throw new ValidationError(`Unknown ${what} type: ${String(type)}. Supported types: ${known}`, [
      { path: ["type"], message: `expected one of ${known}` },
    ]);
  }
  const entry = Object.hasOwn(table, type.toLowerCase()) ? table[type.toLowerCase()] : undefined;
  if (!entry) {
    throw new ValidationError(`Unknown ${what} type: ${type}. Supported types: ${known}`, [
      { path: ["type"], message: `expected one of ${known}` },
    ]);
  }
  return entry.create(parseWith(entry.schema, config ?? {}, `${type} ${what} config`));
}

/**
 * The configuration's keys renamed to option names (`base_url` → `baseUrl`), leaving out the
 * ones not given: what a factory entry hands its constructor.
 * @example
 * const options = renameKeys<{ baseUrl: string }>(config, { base_url: "baseUrl" });
 */
export function renameKeys<T>(config: Record<string, unknown>, names: Record<string, string>): T {
  const options: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(names))
    if (config[key] !== undefined) options[name] = config[key];
  return options as T;
}
