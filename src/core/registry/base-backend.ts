/**
 * {@link RegistryBackendBase}: the registry methods that follow from the others (`getConfig`,
 * `peekConfig`, `exists`, `listActive`, `listIds`, `count`), written once for every backend.
 * @module
 */
import type { JsonObject } from "../validate.ts";
import type { Registration } from "./registration.ts";
import type { RegisterOptions, RegistryBackend, UpdateOptions } from "./types.ts";

/**
 * Extend it and implement the primitive calls; the derived ones come for free (override them
 * where the backend can do better, e.g. a server-side status filter).
 */
export abstract class RegistryBackendBase implements RegistryBackend {
  abstract initialize(): Promise<void>;
  abstract close(): Promise<void>;
  abstract register(
    botId: string,
    config: JsonObject,
    options?: RegisterOptions,
  ): Promise<Registration>;
  abstract update(
    botId: string,
    config: JsonObject,
    options?: UpdateOptions,
  ): Promise<Registration>;
  abstract get(botId: string): Promise<Registration | null>;
  abstract peek(botId: string): Promise<Registration | null>;
  abstract deactivate(botId: string): Promise<boolean>;
  abstract unregister(botId: string): Promise<boolean>;
  abstract listAll(): Promise<Registration[]>;
  abstract clear(): Promise<void>;
  abstract revision(): Promise<string>;

  async getConfig(botId: string): Promise<JsonObject | null> {
    return (await this.get(botId))?.config ?? null;
  }

  async peekConfig(botId: string): Promise<JsonObject | null> {
    return (await this.peek(botId))?.config ?? null;
  }

  async exists(botId: string): Promise<boolean> {
    return (await this.peek(botId))?.status === "active";
  }

  async listActive(): Promise<Registration[]> {
    return (await this.listAll()).filter((r) => r.status === "active");
  }

  async listIds(): Promise<string[]> {
    return (await this.listActive()).map((r) => r.botId);
  }

  async count(): Promise<number> {
    return (await this.listActive()).length;
  }
}
