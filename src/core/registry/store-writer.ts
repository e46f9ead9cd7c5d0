/**
 * {@link RecordWriter}: how {@link StoreRegistryBackend} writes — read, mutate, compare-and-set
 * (retried against other processes), retention, then the event — and the checks its writes share.
 * @module
 */
import { ConflictError, ValidationError } from "../errors.ts";
import { Event, type EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus } from "../events/types.ts";
import { KeyedLock } from "../util/keyed-lock.ts";
import type { JsonObject } from "../validate.ts";
import { type LabelExt, oldestLabelled } from "./labels.ts";
import { checkWriteContext, nextExt, type RecordExt, type WriteContext } from "./record-ext.ts";
import type { Page, RecordStore } from "./record-store.ts";
import {
  computeEtag,
  configOf,
  type RegistrationDict,
  type StoredRegistration,
} from "./registration.ts";
import type { WriteContextOptions } from "./types.ts";

// A write retries its compare-and-set this many times against writers in other processes
// (writers in this process queue on a per-id lock and never collide).
const MAX_WRITE_ATTEMPTS = 25;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Computes the next record from the current one (`null`: write nothing). */
export type Mutation = (
  current: StoredRegistration | null,
  at: string,
) => Promise<RegistrationDict | null>;

/** What a write did. */
export interface WriteResult {
  current: StoredRegistration | null;
  next: RegistrationDict | null;
}

/**
 * A positive integer version, or `ValidationError` naming `field`.
 * @example
 * validateVersion(3); // 3
 * validateVersion(0, "historyLimit"); // throws, naming historyLimit
 */
export function validateVersion(version: unknown, field = "version"): number {
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new ValidationError(
      `Invalid ${field} ${JSON.stringify(version)}: expected an integer of at least 1`,
      [{ path: [field], message: "expected an integer of at least 1" }],
    );
  }
  return version;
}

/**
 * The write context of a write's options, checked (`ValidationError`, before anything is
 * written); `undefined` when they name no actor. A `reason` needs an `actor`.
 * @example
 * writeContextOf({ actor: "alice", reason: "typo" }); // { actor: "alice", reason: "typo" }
 */
export function writeContextOf(options: WriteContextOptions): WriteContext | undefined {
  const { actor, reason } = options;
  if (actor === undefined && reason === undefined) return undefined;
  if (actor === undefined)
    throw new ValidationError("Invalid reason: a reason needs an actor", [
      { path: ["actor"], message: "required with a reason" },
    ]);
  return checkWriteContext(reason === undefined ? { actor } : { actor, reason }, []);
}

/**
 * `ConflictError` unless `ifVersion` is absent or the current version.
 * @example
 * checkIfVersion("my-bot", current, options.ifVersion);
 */
export function checkIfVersion(
  botId: string,
  current: StoredRegistration,
  ifVersion: number | undefined,
): void {
  if (ifVersion !== undefined && ifVersion !== current.version) {
    throw new ConflictError(`Bot '${botId}' is at version ${current.version}, not ${ifVersion}`);
  }
}

/**
 * A page, with its cursor only when there is one.
 * @example
 * page([a, b], undefined); // { items: [a, b] }
 */
export function page<T>(items: T[], cursor: string | undefined): Page<T> {
  return cursor === undefined ? { items } : { items, cursor };
}

/** Options of {@link RecordWriter}. */
export interface RecordWriterOptions {
  store: RecordStore;
  eventBus: EventBus | undefined;
  topic: string;
  historyLimit: number | undefined;
  onError: ErrorReporter;
}

/**
 * The write path of a store-backed registry: one writer per id at a time in this process, the
 * store's compare-and-set across processes, retention after each write, events after it.
 * @example
 * const writer = new RecordWriter({ store, eventBus, topic: "registry:bots", historyLimit: undefined, onError });
 * await writer.write("my-bot", (current, at) => writer.record("my-bot", config, "active", {}, current, at), () => "updated");
 */
export class RecordWriter {
  readonly #o: RecordWriterOptions;
  readonly #lock = new KeyedLock();

  constructor(options: RecordWriterOptions) {
    this.#o = options;
  }

  /**
   * Reads, mutates and compare-and-sets one record (one read and one put when nobody races);
   * publishes the event for what happened, with the version's write context (and `extra` in
   * its payload: a label move names the label).
   */
  async write(
    botId: string,
    at: () => string,
    mutate: Mutation,
    eventFor: (before: StoredRegistration | null) => EventType,
    extra?: Record<string, unknown>,
  ): Promise<WriteResult> {
    const { store } = this.#o;
    const result = await this.#lock.run(botId, async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const current = await store.get(botId);
        const next = await mutate(current, at());
        if (next === null) return { current, next };
        if (await store.put(next, { expectedVersion: current?.version ?? null })) {
          await this.#retain(botId, next);
          return { current, next };
        }
        // Lost to a writer elsewhere: a random, growing pause before reading again, so two
        // processes taking turns in lockstep cannot starve one of them.
        await sleep(Math.random() * Math.min(2 ** attempt, 64));
      }
      throw new ConflictError(
        `Write to bot '${botId}' lost ${MAX_WRITE_ATTEMPTS} races to other writers`,
      );
    });
    const { next } = result;
    if (next)
      await this.publish(
        eventFor(result.current),
        botId,
        next.version,
        next.ext?.write_context,
        extra,
      );
    return result;
  }

  /**
   * Deletes a record and its history (queued behind this process's writes to it); the `deleted`
   * event carries the write context, the only trace left of who deleted it.
   */
  async delete(botId: string, context?: WriteContext): Promise<boolean> {
    const deleted = await this.#lock.run(botId, () => this.#o.store.delete(botId));
    if (deleted) await this.publish("deleted", botId, null, context);
    return deleted;
  }

  /**
   * Applies `historyLimit` after a write, keeping history back to the oldest version a label of
   * the new record names (a label never dangles); a failure is reported, never thrown (the write
   * happened).
   */
  async #retain(botId: string, next: RegistrationDict): Promise<void> {
    const { historyLimit, store, onError } = this.#o;
    if (historyLimit === undefined) return;
    const oldest = oldestLabelled(next.ext);
    const keep =
      oldest === undefined ? historyLimit : Math.max(historyLimit, next.version - oldest + 1);
    try {
      await store.pruneHistory(botId, keep);
    } catch (error) {
      onError(error, `applying historyLimit to bot '${botId}'`);
    }
  }

  /**
   * Publishes a write's event (`{ bot_id, version }`, and `actor`/`reason` when the write named
   * them); a failure is reported (a HYBRID poller catches up).
   */
  async publish(
    type: EventType,
    botId: string,
    version: number | null,
    context?: WriteContext,
    extra?: Record<string, unknown>,
  ): Promise<void> {
    const { eventBus, topic, onError } = this.#o;
    if (!eventBus) return;
    const payload: Record<string, unknown> = { ...extra, bot_id: botId, version };
    if (context !== undefined) {
      payload.actor = context.actor;
      if (context.reason !== undefined) payload.reason = context.reason;
    }
    const event = new Event({ type, topic, payload, source: "registry" });
    try {
      await eventBus.publish(topic, event);
    } catch (error) {
      onError(error, `publishing ${type} for bot '${botId}'`);
    }
  }

  /**
   * The next version of a record with this content (version + 1, `created_at` kept), the bot's
   * labels carried forward and this write's context in its `ext`.
   */
  async record(
    botId: string,
    config: JsonObject,
    status: string,
    metadata: JsonObject,
    current: StoredRegistration | null,
    at: string,
    context?: WriteContext,
  ): Promise<RegistrationDict> {
    const ext = nextExt(current?.ext, context);
    const next: RegistrationDict = {
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
    if (ext !== undefined) next.ext = ext;
    return next;
  }

  /**
   * The next version of `current` with the same content (config, status, metadata, ETag) and
   * `labels` (the label part of its `ext`) instead of the current ones: a label move.
   */
  relabel(
    current: StoredRegistration,
    labels: LabelExt,
    at: string,
    context?: WriteContext,
  ): RegistrationDict {
    const ext: RecordExt = {
      ...labels,
      ...(context === undefined ? {} : { write_context: context }),
    };
    const next: RegistrationDict = {
      bot_id: current.bot_id,
      config: configOf(current),
      status: current.status,
      version: current.version + 1,
      etag: current.etag,
      created_at: current.created_at,
      updated_at: at,
      last_accessed_at: current.last_accessed_at,
      metadata: current.metadata,
    };
    if (Object.keys(ext).length > 0) next.ext = ext;
    return next;
  }
}
