/**
 * The {@link RegistryBackend} port and its options.
 * @module
 */
import type { JsonObject, Status } from "../validate.ts";
import type { Page, PageOptions } from "./record-store.ts";
import type { Registration } from "./registration.ts";

/**
 * Who makes a write and why: kept with the version it writes (`Registration.writeContext`, in
 * history too) and sent as `actor`/`reason` in the write's event. `actor`: 1–256 characters;
 * `reason` (needs an actor): at most 1,024. Bad values are a `ValidationError`, nothing written.
 * @example
 * await backend.update("my-bot", config, { actor: "alice", reason: "lower the temperature" });
 */
export interface WriteContextOptions {
  actor?: string;
  reason?: string;
}

/** Options of {@link RegistryBackend.register}. */
export interface RegisterOptions extends WriteContextOptions {
  /** Default `"active"`. */
  status?: Status;
  /** Free-form JSON metadata kept beside the config (kept as is when omitted on an update). */
  metadata?: JsonObject;
}

/** Options of {@link RegistryBackend.update}. */
export interface UpdateOptions extends WriteContextOptions {
  /** Default: the current status (`active` for a bot `createIfMissing` creates). */
  status?: Status;
  metadata?: JsonObject;
  /** Optimistic concurrency: the write fails with `ConflictError` unless this is the current version. */
  ifVersion?: number;
  /**
   * A missing bot is created (version 1) instead of a `NotFoundError`, in the same
   * compare-and-set loop: an upsert that keeps the current status (`PUT /bots/{id}`). Ignored
   * with `ifVersion` (a version needs a bot).
   */
  createIfMissing?: boolean;
}

/** Options of {@link RegistryBackend.listPage}. */
export interface ListPageOptions extends PageOptions {
  /** Only registrations with this status. */
  status?: Status;
}

/** Options of {@link RegistryBackend.rollback}. */
export interface RollbackOptions extends WriteContextOptions {
  /** Optimistic concurrency: `ConflictError` unless the bot is at this version. */
  ifVersion?: number;
}

/**
 * What a registry backend guarantees, as data (a `StoreRegistryBackend` passes on its store's).
 * @example
 * if (!backend.capabilities.atomicWrites) console.warn("two writers of one bot may both win");
 */
export interface RegistryCapabilities {
  /** `eventual`: a listing or `revision()` may miss a write for up to `visibilityLagMs`. */
  consistency: "strong" | "eventual";
  /** The bound on how late a write shows (ms; 0 when strong). */
  visibilityLagMs: number;
  /** True when `ifVersion` (and a write's own version step) is a real compare-and-set across processes. */
  atomicWrites: boolean;
}

/**
 * Where bot configurations live. Every method is async; every backend passes the
 * `RegistryBackend` conformance suite (`botknobs/testing`).
 */
export interface RegistryBackend {
  /** What the backend guarantees. */
  readonly capabilities: RegistryCapabilities;
  /** Idempotent set-up. */
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** Upsert: creates (version 1) or replaces config and status (version + 1), keeping `createdAt`. */
  register(botId: string, config: JsonObject, options?: RegisterOptions): Promise<Registration>;
  /**
   * Replaces an existing bot's config: `NotFoundError` when missing (unless `createIfMissing`),
   * `ConflictError` on a stale `ifVersion`.
   */
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
  /**
   * A page of registrations sorted by id (default 1,000, at most 1,000 per page): pass the
   * returned `cursor` back for the next one; there is none after the last page.
   */
  listPage(options?: ListPageOptions): Promise<Page<Registration>>;
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
  /**
   * The bound on how late a write shows in `listPage`/`revision()` (ms; absent or 0: at once).
   * A poller keeps listing until the revision has been stable for longer than this.
   */
  readonly visibilityLagMs?: number;
  /** A page of a bot's versions, newest first (the current one included); empty when missing. */
  history(botId: string, options?: PageOptions): Promise<Page<Registration>>;
  /** One kept version of a bot, or `null` (never written, removed by retention, or deleted). */
  getVersion(botId: string, version: number): Promise<Registration | null>;
  /**
   * Writes a new version (current + 1) whose config, status and metadata are those of `version`
   * (so its etag equals that version's) and publishes `updated`. `NotFoundError` for a missing
   * bot or version, `ConflictError` on a stale `ifVersion`.
   */
  rollback(botId: string, version: number, options?: RollbackOptions): Promise<Registration>;
}

/** The registry topic and the events published on it. */
export const REGISTRY_TOPIC = "registry:bots";
