/**
 * The {@link RegistryBackend} port and its options.
 * @module
 */
import type { JsonObject, Status } from "../validate.ts";
import type { Registration } from "./registration.ts";

/** Options of {@link RegistryBackend.register}. */
export interface RegisterOptions {
  /** Default `"active"`. */
  status?: Status;
  /** Free-form JSON metadata kept beside the config (kept as is when omitted on an update). */
  metadata?: JsonObject;
}

/** Options of {@link RegistryBackend.update}. */
export interface UpdateOptions {
  /** Default: the current status. */
  status?: Status;
  metadata?: JsonObject;
  /** Optimistic concurrency: the write fails with `ConflictError` unless this is the current version. */
  ifVersion?: number;
}

/**
 * Where bot configurations live. Every method is async; every backend passes the
 * `RegistryBackend` conformance suite (`botknobs/testing`).
 */
export interface RegistryBackend {
  /** Idempotent set-up. */
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** Upsert: creates (version 1) or replaces config and status (version + 1), keeping `createdAt`. */
  register(botId: string, config: JsonObject, options?: RegisterOptions): Promise<Registration>;
  /** Replaces an existing bot's config: `NotFoundError` when missing, `ConflictError` on a stale `ifVersion`. */
  update(botId: string, config: JsonObject, options?: UpdateOptions): Promise<Registration>;
  /** The registration (any status), recording the access; `null` when missing. */
  get(botId: string): Promise<Registration | null>;
  /** The registration without recording an access (never writes). */
  peek(botId: string): Promise<Registration | null>;
  /** The config (any status), recording the access; `null` when missing. */
  getConfig(botId: string): Promise<JsonObject | null>;
  /** The config without recording an access (never writes). */
  peekConfig(botId: string): Promise<JsonObject | null>;
  /** True only for an existing, active bot. */
  exists(botId: string): Promise<boolean>;
  /** Soft delete (status `inactive`); false when missing. */
  deactivate(botId: string): Promise<boolean>;
  /** Hard delete; false when missing. */
  unregister(botId: string): Promise<boolean>;
  /** Active registrations, sorted by id. */
  listActive(): Promise<Registration[]>;
  /** All registrations, sorted by id. */
  listAll(): Promise<Registration[]>;
  /** Active ids, sorted. */
  listIds(): Promise<string[]>;
  /** The number of active registrations. */
  count(): Promise<number>;
  /** Deletes everything (for tests and resets). */
  clear(): Promise<void>;
  /** A cheap string that changes whenever any registration's content changes (not on access). */
  revision(): Promise<string>;
}

/** The registry topic and the events published on it. */
export const REGISTRY_TOPIC = "registry:bots";
