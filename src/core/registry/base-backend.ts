/**
 * {@link RegistryBackendBase}: the registry methods that follow from the others (`getConfig`,
 * `peekConfig`, `exists`, `listAll`, `listActive`, `listIds`, `count`), written once for every backend.
 * @module
 */
import type { JsonObject } from "../validate.ts";
import type { Page, PageOptions } from "./record-store.ts";
import type { Registration } from "./registration.ts";
import type {
  ListPageOptions,
  RegisterOptions,
  RegistryBackend,
  RegistryCapabilities,
  RollbackOptions,
  UpdateOptions,
} from "./types.ts";

/**
 * Extend it and implement the primitive calls; the derived ones come for free (override them
 * where the backend can do better).
 * @example
 * class MyBackend extends RegistryBackendBase {
 *   async listPage(options) { ... } // listAll, listActive, listIds and count walk its pages
 * }
 */
export abstract class RegistryBackendBase implements RegistryBackend {
  /**
   * Strong, with compare-and-set, unless `visibilityLagMs` says otherwise; override for a backend
   * that knows better.
   */
  get capabilities(): RegistryCapabilities {
    const lag = this.visibilityLagMs;
    return {
      consistency: lag > 0 ? "eventual" : "strong",
      visibilityLagMs: lag,
      atomicWrites: true,
    };
  }
  /** The bound on how late a write shows (ms; 0 here); see {@link RegistryCapabilities}. */
  get visibilityLagMs(): number {
    return 0;
  }
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
  abstract listPage(options?: ListPageOptions): Promise<Page<Registration>>;
  abstract clear(): Promise<void>;
  abstract revision(): Promise<string>;
  abstract history(botId: string, options?: PageOptions): Promise<Page<Registration>>;
  abstract getVersion(botId: string, version: number): Promise<Registration | null>;
  abstract rollback(
    botId: string,
    version: number,
    options?: RollbackOptions,
  ): Promise<Registration>;

  async getConfig(botId: string): Promise<JsonObject | null> {
    return (await this.get(botId))?.config ?? null;
  }

  async peekConfig(botId: string): Promise<JsonObject | null> {
    return (await this.peek(botId))?.config ?? null;
  }

  async exists(botId: string): Promise<boolean> {
    return (await this.peek(botId))?.status === "active";
  }

  /** Every page of `listPage(options)`, joined. */
  protected async walk(options: Omit<ListPageOptions, "cursor"> = {}): Promise<Registration[]> {
    const all: Registration[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listPage(cursor === undefined ? options : { ...options, cursor });
      for (const r of page.items) all.push(r);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return all;
  }

  async listAll(): Promise<Registration[]> {
    return this.walk();
  }

  async listActive(): Promise<Registration[]> {
    return this.walk({ status: "active" });
  }

  async listIds(): Promise<string[]> {
    return (await this.listActive()).map((r) => r.botId);
  }

  async count(): Promise<number> {
    return (await this.listActive()).length;
  }
}
