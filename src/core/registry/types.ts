/**
 * The {@link RegistryBackend} port and its options.
 * @module
 */
import type { JsonPatchOperation } from "../util/json-patch.ts";
import type { JsonObject, Status } from "../validate.ts";
import type { AuditEntry } from "./audit-entry.ts";
import type { BotLabels, LabelTarget } from "./labels.ts";
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

/** Options of {@link RegistryBackend.setLabel} and {@link RegistryBackend.deleteLabel}. */
export interface LabelWriteOptions extends WriteContextOptions {
  /** Optimistic concurrency: `ConflictError` unless the bot is at this version. */
  ifVersion?: number;
}

/** Options of {@link RegistryBackend.getLabeled}. */
export interface LabeledReadOptions {
  /**
   * The caller's key (a user or session id, 1–1,024 characters) a split label resolves by: one
   * key gets one version until the split changes. Without one a split answers its primary
   * version (the largest share).
   */
  key?: string;
  /** Read without recording an access (as `peek`). */
  peek?: boolean;
}

/** Options of {@link RegistryBackend.audit}. */
export interface AuditOptions extends PageOptions {
  /** Only writes at or after this time (a `Date` or an ISO-8601 string); default: all kept. */
  since?: Date | string;
  /** Only this bot's writes. */
  botId?: string;
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
  /** True when `setLabel`/`deleteLabel` write (absent or false: they throw `UnsupportedError`). */
  labels?: boolean;
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
  /** Soft delete (status `inactive`, a new version with the write context); false when missing. */
  deactivate(botId: string, options?: WriteContextOptions): Promise<boolean>;
  /** Hard delete (history too; the `deleted` event names the actor and reason); false when missing. */
  unregister(botId: string, options?: WriteContextOptions): Promise<boolean>;
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
  /**
   * The bot's labels at its current version (`latest` first), or `null` when the bot is missing.
   */
  getLabels(botId: string): Promise<BotLabels | null>;
  /**
   * Points label `name` at a version, or splits it between versions (`{ split }`, percents adding
   * up to 100), as a new version of the bot with the same content (see `labels.ts` for why), and
   * publishes `updated` with `payload.label`. Nothing is written when it already points there.
   * `NotFoundError` for a missing bot; `ConflictError` for a version that does not exist, is no
   * longer kept or is not active (the message names it), or a stale `ifVersion`;
   * `ValidationError` for a bad name (`latest` too) or target.
   */
  setLabel(
    botId: string,
    name: string,
    target: LabelTarget,
    options?: LabelWriteOptions,
  ): Promise<BotLabels>;
  /** Removes a label (a new version, as `setLabel`); false when the bot or the label is missing. */
  deleteLabel(botId: string, name: string, options?: LabelWriteOptions): Promise<boolean>;
  /**
   * The version a label serves (for `key`, when it splits), with the bot's current labels;
   * `null` when the bot is missing. `latest` is the current registration. `NotFoundError` when
   * the bot has no such label, is not active, or the version is no longer kept.
   */
  getLabeled(
    botId: string,
    label: string,
    options?: LabeledReadOptions,
  ): Promise<Registration | null>;
  /**
   * What changed from version `from` to version `to` as an RFC 6902 JSON Patch over
   * `{ config, status, metadata, labels }` (applied to `from`'s document it gives `to`'s).
   * `NotFoundError` naming the bot or the version when either is missing.
   */
  diff(botId: string, from: number, to: number): Promise<JsonPatchOperation[]>;
  /**
   * A page of the audit trail across bots, oldest first: one entry per kept version (who, when,
   * why, what changed). A deleted bot's entries go with its history.
   */
  audit(options?: AuditOptions): Promise<Page<AuditEntry>>;
}

/** The registry topic and the events published on it. */
export const REGISTRY_TOPIC = "registry:bots";
