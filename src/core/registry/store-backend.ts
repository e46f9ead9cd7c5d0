/**
 * {@link StoreRegistryBackend}: the whole registry (validation, versions, ETags, access times,
 * events) over any {@link RecordStore}. The seed calls it `DataKnobsRegistryAdapter`.
 * @module
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import { Event, type EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus } from "../events/types.ts";
import { KeyedLock } from "../util/keyed-lock.ts";
import { Once } from "../util/once.ts";
import {
  DEFAULT_MAX_CONFIG_BYTES,
  type JsonObject,
  validateBotId,
  validateJsonObject,
  validateMetadata,
  validateStatus,
} from "../validate.ts";
import { RegistryBackendBase } from "./base-backend.ts";
import type { RecordStore } from "./record-store.ts";
import {
  computeEtag,
  configOf,
  Registration,
  type RegistrationDict,
  type StoredRegistration,
} from "./registration.ts";
import { REGISTRY_TOPIC, type RegisterOptions, type UpdateOptions } from "./types.ts";

/** Options of {@link StoreRegistryBackend}. */
export interface StoreRegistryBackendOptions {
  store: RecordStore;
  /** Publishes `created`/`updated`/`deactivated`/`deleted` on every write. */
  eventBus?: EventBus;
  /** Default `"registry:bots"`. */
  eventTopic?: string;
  /** Persist `lastAccessedAt` at most once per this many ms per bot (default 60 000; KV allows 1 write/s per key). */
  touchIntervalMs?: number;
  /** Size limit of one config's JSON (default 1 MiB). */
  maxConfigBytes?: number;
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** Told about failures that do not fail the call (an event that could not be published). */
  onError?: ErrorReporter;
}

// A write retries its compare-and-set this many times against writers in other processes
// (writers in this process queue on a per-id lock and never collide).
const MAX_WRITE_ATTEMPTS = 25;

type Mutation = (
  current: StoredRegistration | null,
  at: string,
) => Promise<RegistrationDict | null>;

/**
 * A registry backend over a {@link RecordStore}.
 * @example
 * const backend = new StoreRegistryBackend({ store: new MemoryRecordStore() });
 * await backend.register("my-bot", { llm: { model: "claude-3-sonnet" } });
 */
export class StoreRegistryBackend extends RegistryBackendBase {
  /** The record store underneath. */
  readonly store: RecordStore;
  readonly #bus: EventBus | undefined;
  readonly #topic: string;
  readonly #touchIntervalMs: number;
  readonly #maxConfigBytes: number;
  readonly #now: () => number;
  readonly #report: ErrorReporter;
  readonly #lock = new KeyedLock();
  readonly #ready = new Once();

  constructor(options: StoreRegistryBackendOptions) {
    super();
    this.store = options.store;
    this.#bus = options.eventBus;
    this.#topic = options.eventTopic ?? REGISTRY_TOPIC;
    this.#touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.#maxConfigBytes = options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.#now = options.now ?? Date.now;
    this.#report = options.onError ?? (() => {});
  }

  /** Initializes the store once; every other method calls it first. */
  initialize(): Promise<void> {
    return this.#ready.run(() => this.store.initialize());
  }

  async close(): Promise<void> {
    this.#ready.reset();
    await this.store.close();
  }

  #isoAt = Number.NaN;
  #isoText = "";

  /** The clock as an ISO string; reads within one millisecond share one string. */
  #iso(now: number = this.#now()): string {
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      this.#isoText = new Date(now).toISOString();
    }
    return this.#isoText;
  }

  /** Reads, mutates and compare-and-sets one record; publishes the event for what happened. */
  async #write(
    botId: string,
    mutate: Mutation,
    eventFor: (before: StoredRegistration | null) => EventType,
  ) {
    await this.initialize();
    const result = await this.#lock.run(botId, async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const current = await this.store.get(botId);
        const next = await mutate(current, this.#iso());
        if (next === null) return { current, next };
        if (await this.store.put(next, { expectedVersion: current?.version ?? null }))
          return { current, next };
      }
      throw new ConflictError(
        `Write to bot '${botId}' lost ${MAX_WRITE_ATTEMPTS} races to other writers`,
      );
    });
    if (result.next) await this.#publish(eventFor(result.current), botId, result.next.version);
    return result;
  }

  async #publish(type: EventType, botId: string, version: number | null): Promise<void> {
    if (!this.#bus) return;
    const event = new Event({
      type,
      topic: this.#topic,
      payload: { bot_id: botId, version },
      source: "registry",
    });
    try {
      await this.#bus.publish(this.#topic, event);
    } catch (error) {
      // The write has happened; a lost event is caught up by pollers (HYBRID mode).
      this.#report(error, `publishing ${type} for bot '${botId}'`);
    }
  }

  async #record(
    botId: string,
    config: JsonObject,
    status: string,
    metadata: JsonObject,
    current: StoredRegistration | null,
    at: string,
  ): Promise<RegistrationDict> {
    return {
      bot_id: botId,
      config,
      status,
      version: (current?.version ?? 0) + 1,
      etag: await computeEtag(config, status),
      created_at: current?.created_at ?? at,
      updated_at: at,
      last_accessed_at: current?.last_accessed_at ?? at,
      metadata,
    };
  }

  async register(
    botId: string,
    config: JsonObject,
    options: RegisterOptions = {},
  ): Promise<Registration> {
    validateBotId(botId);
    const { value } = validateJsonObject(config, "config", this.#maxConfigBytes);
    const status = validateStatus(options.status ?? "active");
    const metadata =
      options.metadata === undefined ? undefined : validateMetadata(options.metadata);
    const { next } = await this.#write(
      botId,
      (current, at) =>
        this.#record(botId, value, status, metadata ?? current?.metadata ?? {}, current, at),
      (before) => (before ? "updated" : "created"),
    );
    return Registration.fromDict(next as RegistrationDict);
  }

  async update(
    botId: string,
    config: JsonObject,
    options: UpdateOptions = {},
  ): Promise<Registration> {
    validateBotId(botId);
    const { value } = validateJsonObject(config, "config", this.#maxConfigBytes);
    const status = options.status === undefined ? undefined : validateStatus(options.status);
    const metadata =
      options.metadata === undefined ? undefined : validateMetadata(options.metadata);
    const { next } = await this.#write(
      botId,
      async (current, at) => {
        if (!current) throw new NotFoundError(`Bot '${botId}' not found`);
        if (options.ifVersion !== undefined && options.ifVersion !== current.version) {
          throw new ConflictError(
            `Bot '${botId}' is at version ${current.version}, not ${options.ifVersion}`,
          );
        }
        return this.#record(
          botId,
          value,
          status ?? current.status,
          metadata ?? current.metadata,
          current,
          at,
        );
      },
      () => "updated",
    );
    return Registration.fromDict(next as RegistrationDict);
  }

  async peek(botId: string): Promise<Registration | null> {
    validateBotId(botId);
    if (!this.#ready.ready) await this.initialize();
    const record = await this.store.get(botId);
    return record ? Registration.fromDict(record) : null;
  }

  async get(botId: string): Promise<Registration | null> {
    validateBotId(botId);
    if (!this.#ready.ready) await this.initialize();
    const record = await this.store.get(botId);
    if (!record) return null;
    const now = this.#now();
    const at = this.#iso(now);
    // Record the access, but persist it at most once per interval: a read must not cost a write.
    if (now - Date.parse(record.last_accessed_at) >= this.#touchIntervalMs)
      await this.store.touch(botId, at);
    record.last_accessed_at = at;
    return Registration.fromDict(record);
  }

  async deactivate(botId: string): Promise<boolean> {
    validateBotId(botId);
    const { next } = await this.#write(
      botId,
      async (current, at) =>
        current &&
        this.#record(botId, configOf(current), "inactive", current.metadata, current, at),
      () => "deactivated",
    );
    return next !== null;
  }

  async unregister(botId: string): Promise<boolean> {
    validateBotId(botId);
    await this.initialize();
    const deleted = await this.#lock.run(botId, () => this.store.delete(botId));
    if (deleted) await this.#publish("deleted", botId, null);
    return deleted;
  }

  async listAll(): Promise<Registration[]> {
    await this.initialize();
    const records = await this.store.list();
    records.sort((a, b) => (a.bot_id < b.bot_id ? -1 : a.bot_id > b.bot_id ? 1 : 0));
    return records.map((r) => Registration.fromDict(r));
  }

  async clear(): Promise<void> {
    await this.initialize();
    for (const botId of await this.store.clear()) await this.#publish("deleted", botId, null);
  }

  async revision(): Promise<string> {
    await this.initialize();
    return this.store.revision();
  }
}
