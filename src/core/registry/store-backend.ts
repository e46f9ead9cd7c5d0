/**
 * {@link StoreRegistryBackend}: the whole registry (validation, versions, ETags, access times,
 * events) over any {@link RecordStore}. The seed calls it `DataKnobsRegistryAdapter`.
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus } from "../events/types.ts";
import { Once } from "../util/once.ts";
import {
  DEFAULT_MAX_CONFIG_BYTES,
  type JsonObject,
  validateBotId,
  validateMetadata,
  validateStatus,
} from "../validate.ts";
import { labelsOfHead, RegistryBackendBase } from "./base-backend.ts";
import { checkBotConfig } from "./knowledge-pin.ts";
import { labelMutation } from "./label-writes.ts";
import { type BotLabels, checkLabelName, checkLabelTarget, type LabelTarget } from "./labels.ts";
import { type Page, type PageOptions, pageLimit } from "./page.ts";
import type { RecordStore } from "./record-store.ts";
import {
  configOf,
  Registration,
  type RegistrationDict,
  type StoredRegistration,
} from "./registration.ts";
import {
  checkIfVersion,
  type Mutation,
  page,
  RecordWriter,
  validateVersion,
  type WriteResult,
  writeContextOf,
} from "./store-writer.ts";
import {
  type LabelWriteOptions,
  type ListPageOptions,
  REGISTRY_TOPIC,
  type RegisterOptions,
  type RegistryCapabilities,
  type RollbackOptions,
  type UpdateOptions,
  type WriteContextOptions,
} from "./types.ts";

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
  /** Keep the newest N versions of each bot, applied after each write (default: all). */
  historyLimit?: number | undefined;
}

// A status-filtered page reads at most this many store pages (then returns what it has, and a cursor).
const MAX_STORE_PAGES = 8;

/**
 * A registry backend over a {@link RecordStore}.
 * @example
 * const backend = new StoreRegistryBackend({ store: new MemoryRecordStore() });
 * await backend.register("my-bot", { llm: { model: "claude-3-sonnet" } });
 */
export class StoreRegistryBackend extends RegistryBackendBase {
  /** The record store underneath. */
  readonly store: RecordStore;
  readonly #writer: RecordWriter;
  readonly #touchIntervalMs: number;
  readonly #maxConfigBytes: number;
  readonly #now: () => number;
  readonly #ready = new Once();

  constructor(options: StoreRegistryBackendOptions) {
    super();
    this.store = options.store;
    this.#touchIntervalMs = options.touchIntervalMs ?? 60_000;
    this.#maxConfigBytes = options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.#now = options.now ?? Date.now;
    this.#writer = new RecordWriter({
      store: options.store,
      eventBus: options.eventBus,
      topic: options.eventTopic ?? REGISTRY_TOPIC,
      historyLimit:
        options.historyLimit === undefined
          ? undefined
          : validateVersion(options.historyLimit, "historyLimit"),
      onError: options.onError ?? (() => {}),
    });
  }

  /** The store's bound on how late a write shows (0 for a strongly consistent store). */
  override get visibilityLagMs(): number {
    return this.store.capabilities.visibilityLagMs ?? 0;
  }

  /** The store's: its consistency, lag and compare-and-set; labels on every store. */
  override get capabilities(): RegistryCapabilities {
    const { consistency, visibilityLagMs, atomicWrites } = this.store.capabilities;
    return { consistency, visibilityLagMs: visibilityLagMs ?? 0, atomicWrites, labels: true };
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

  async #write(
    botId: string,
    mutate: Mutation,
    eventFor: (before: StoredRegistration | null) => EventType,
    extra?: Record<string, unknown>,
  ): Promise<WriteResult> {
    await this.initialize();
    return this.#writer.write(botId, () => this.#iso(), mutate, eventFor, extra);
  }

  async register(
    botId: string,
    config: JsonObject,
    options: RegisterOptions = {},
  ): Promise<Registration> {
    validateBotId(botId);
    const value = checkBotConfig(config, this.#maxConfigBytes);
    const status = validateStatus(options.status ?? "active");
    const metadata =
      options.metadata === undefined ? undefined : validateMetadata(options.metadata);
    const context = writeContextOf(options);
    const { next } = await this.#write(
      botId,
      (current, at) =>
        this.#writer.record(
          botId,
          value,
          status,
          metadata ?? current?.metadata ?? {},
          current,
          at,
          context,
        ),
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
    const value = checkBotConfig(config, this.#maxConfigBytes);
    const status = options.status === undefined ? undefined : validateStatus(options.status);
    const metadata =
      options.metadata === undefined ? undefined : validateMetadata(options.metadata);
    const context = writeContextOf(options);
    // An upsert creates a missing bot in this same read/compare-and-set loop.
    const create = options.createIfMissing === true && options.ifVersion === undefined;
    const { next } = await this.#write(
      botId,
      async (current, at) => {
        if (!current && !create) throw new NotFoundError(`Bot '${botId}' not found`);
        if (current) checkIfVersion(botId, current, options.ifVersion);
        return this.#writer.record(
          botId,
          value,
          status ?? current?.status ?? "active",
          metadata ?? current?.metadata ?? {},
          current,
          at,
          context,
        );
      },
      (before) => (before ? "updated" : "created"),
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
    // Only while it is still this version: a touch never reverts a concurrent write.
    if (now - Date.parse(record.last_accessed_at) >= this.#touchIntervalMs)
      await this.store.touch(botId, at, { version: record.version });
    record.last_accessed_at = at;
    return Registration.fromDict(record);
  }

  async deactivate(botId: string, options: WriteContextOptions = {}): Promise<boolean> {
    validateBotId(botId);
    const context = writeContextOf(options);
    const { next } = await this.#write(
      botId,
      async (current, at) =>
        current &&
        this.#writer.record(
          botId,
          configOf(current),
          "inactive",
          current.metadata,
          current,
          at,
          context,
        ),
      () => "deactivated",
    );
    return next !== null;
  }

  async unregister(botId: string, options: WriteContextOptions = {}): Promise<boolean> {
    validateBotId(botId);
    const context = writeContextOf(options);
    await this.initialize();
    return this.#writer.delete(botId, context);
  }

  /**
   * A page sorted by id. With `status`, the store filters when it declares it
   * (`capabilities.filters`: one store call, full pages); otherwise store pages are read and
   * filtered here until the page is full (at most 8 reads; a shorter page may have a cursor).
   */
  async listPage(options: ListPageOptions = {}): Promise<Page<Registration>> {
    const limit = pageLimit(options.limit);
    const status = options.status === undefined ? undefined : validateStatus(options.status);
    await this.initialize();
    if (status !== undefined && this.store.capabilities.filters?.includes("status")) {
      const { cursor } = options;
      const part = await this.store.list({
        where: { status },
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return page(
        part.items.map((r) => Registration.fromDict(r)),
        part.cursor,
      );
    }
    const items: Registration[] = [];
    let cursor = options.cursor;
    for (let reads = 0; reads < MAX_STORE_PAGES; reads++) {
      const want = limit - items.length;
      const part = await this.store.list(
        cursor === undefined ? { limit: want } : { cursor, limit: want },
      );
      for (const r of part.items)
        if (status === undefined || r.status === status) items.push(Registration.fromDict(r));
      cursor = part.cursor;
      if (cursor === undefined || items.length >= limit) break;
    }
    return page(items, cursor);
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<Registration>> {
    validateBotId(botId);
    await this.initialize();
    const part = await this.store.history(botId, options);
    return page(
      part.items.map((r) => Registration.fromDict(r)),
      part.cursor,
    );
  }

  async getVersion(botId: string, version: number): Promise<Registration | null> {
    validateBotId(botId);
    validateVersion(version);
    await this.initialize();
    const record = await this.store.getVersion(botId, version);
    return record ? Registration.fromDict(record) : null;
  }

  async rollback(
    botId: string,
    version: number,
    options: RollbackOptions = {},
  ): Promise<Registration> {
    validateBotId(botId);
    validateVersion(version);
    if (options.ifVersion !== undefined) validateVersion(options.ifVersion, "ifVersion");
    const context = writeContextOf(options);
    const { next } = await this.#write(
      botId,
      async (current, at) => {
        if (!current) throw new NotFoundError(`Bot '${botId}' not found`);
        checkIfVersion(botId, current, options.ifVersion);
        const target =
          current.version === version ? current : await this.store.getVersion(botId, version);
        if (!target) {
          throw new NotFoundError(
            `Version ${version} of bot '${botId}' not found (never written, or removed by retention)`,
          );
        }
        // The content of `version`; the labels stay the bot's current ones (nextExt).
        return this.#writer.record(
          botId,
          configOf(target),
          target.status,
          target.metadata,
          current,
          at,
          context,
        );
      },
      () => "updated",
    );
    return Registration.fromDict(next as RegistrationDict);
  }

  /**
   * A new version with the current content and `name` pointing at `target` (see
   * `RegistryBackend.setLabel`); the `updated` event carries `label: name`.
   */
  override async setLabel(
    botId: string,
    name: string,
    target: LabelTarget,
    options: LabelWriteOptions = {},
  ): Promise<BotLabels> {
    const { current, next } = await this.#labelWrite(botId, name, target, options);
    return labelsOfHead(Registration.fromDict((next ?? current) as StoredRegistration));
  }

  /** A new version without label `name`; false (nothing written) when the bot or label is missing. */
  override async deleteLabel(
    botId: string,
    name: string,
    options: LabelWriteOptions = {},
  ): Promise<boolean> {
    return (await this.#labelWrite(botId, name, null, options)).next !== null;
  }

  #labelWrite(
    botId: string,
    name: string,
    target: LabelTarget | null,
    options: LabelWriteOptions,
  ): Promise<WriteResult> {
    validateBotId(botId);
    checkLabelName(name);
    const checked = target === null ? null : checkLabelTarget(target);
    const ifVersion =
      options.ifVersion === undefined ? undefined : validateVersion(options.ifVersion, "ifVersion");
    const context = writeContextOf(options);
    const mutate = labelMutation({
      store: this.store,
      writer: this.#writer,
      botId,
      name,
      target: checked,
      ifVersion,
      context,
    });
    return this.#write(botId, mutate, () => "updated", { label: name });
  }

  async clear(): Promise<void> {
    await this.initialize();
    for (const botId of await this.store.clear())
      await this.#writer.publish("deleted", botId, null);
  }

  async revision(): Promise<string> {
    await this.initialize();
    return this.store.revision();
  }
}
