/**
 * {@link RegistryPoller}: change detection for backends without push. It compares the cheap
 * `revision()` first and lists only when it moved; changes come from one listing (no re-list race).
 * On an eventually consistent backend (`visibilityLagMs` > 0) a listing may lag the revision, so
 * after the revision moves the poller lists on every poll until it has listed at least
 * `visibilityLagMs` after it first saw that revision: no write is ever missed, and each is
 * reported within `visibilityLagMs` + `pollInterval` (plus a poll's own duration) of completing.
 * Versions never go backwards: such a store may answer a listing from a replica that has not yet
 * seen a write (version N − 1 after the poller saw N), and a bot's version lower than the one the
 * poller holds, of the same bot (not created later: a delete and a new registration start again
 * at 1), is that lag — the poller keeps the newer and reports nothing.
 * @module
 */
import { ValidationError } from "../errors.ts";
import { Event, EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus } from "../events/types.ts";
import type { Registration } from "../registry/registration.ts";
import type { RegistryBackend } from "../registry/types.ts";
import type { JsonObject } from "../validate.ts";

/** Called per change; `oldConfig` is `null` on create, `newConfig` is `null` on delete. */
export type ChangeCallback = (
  botId: string,
  oldConfig: JsonObject | null,
  newConfig: JsonObject | null,
) => void | Promise<void>;

/** One detected change. */
export interface RegistryChange {
  botId: string;
  /** `created`, `updated`, `deactivated`, `activated` or `deleted`. */
  type: EventType;
  oldConfig: JsonObject | null;
  newConfig: JsonObject | null;
  /** The version now, `null` after a delete. */
  version: number | null;
}

/** Options of {@link RegistryPoller}. */
export interface RegistryPollerOptions {
  backend: RegistryBackend;
  /** Seconds between polls (default 5). `pollingInterval` is accepted as the seed's spelling. */
  pollInterval?: number;
  pollingInterval?: number;
  onChange?: ChangeCallback;
  /** Publishes each change here too. */
  eventBus?: EventBus;
  /** Default `"registry:changes"`. */
  eventTopic?: string;
  /** Longest wait after repeated failures, in seconds (default 300). */
  maxBackoff?: number;
  onError?: ErrorReporter;
  /**
   * How late (ms) a write may show in the backend's listing after its revision moved (default:
   * the backend's `visibilityLagMs`, else 0).
   */
  visibilityLagMs?: number;
  /** The clock (ms), for the settle window (default `Date.now`). */
  now?: () => number;
}

interface Seen {
  version: number;
  /** When the bot was created (ms): a lower version created later is a new bot, not a lag. */
  created: number;
  etag: string;
  status: string;
  config: JsonObject;
}

function positive(seconds: number): number {
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new ValidationError(`Poll interval must be positive, got ${seconds}`, [
      { path: ["pollInterval"], message: "must be a positive number of seconds" },
    ]);
  }
  return seconds;
}

/**
 * Polls a registry and reports what changed.
 * @example
 * const poller = new RegistryPoller({ backend, pollInterval: 60, onChange: (id) => manager.invalidate(id) });
 * // Over an eventually consistent store it re-lists for backend.visibilityLagMs after each change.
 * await poller.start();
 * // Workers: call `await poller.pollOnce()` from a cron handler instead.
 */
export class RegistryPoller {
  readonly backend: RegistryBackend;
  readonly eventBus: EventBus | undefined;
  readonly eventTopic: string;
  readonly #callbacks: ChangeCallback[] = [];
  readonly #report: ErrorReporter;
  readonly #maxBackoffMs: number;
  #interval: number;
  readonly #lagOption: number | undefined;
  readonly #now: () => number;
  #snapshot = new Map<string, Seen>();
  #revision: string | null = null;
  // A listing that starts at or after this time is complete for the current revision.
  #settleAt = 0;
  #settled = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #failures = 0;
  #polling: Promise<RegistryChange[]> | undefined;

  constructor(options: RegistryPollerOptions) {
    this.backend = options.backend;
    this.eventBus = options.eventBus;
    this.eventTopic = options.eventTopic ?? "registry:changes";
    this.#interval = positive(options.pollInterval ?? options.pollingInterval ?? 5);
    this.#maxBackoffMs = (options.maxBackoff ?? 300) * 1000;
    this.#report = options.onError ?? (() => {});
    this.#lagOption = options.visibilityLagMs;
    this.#now = options.now ?? Date.now;
    if (options.onChange) this.#callbacks.push(options.onChange);
  }

  /** How late (ms) a write may show in a listing after the revision moved. */
  get visibilityLagMs(): number {
    return this.#lagOption ?? this.backend.visibilityLagMs ?? 0;
  }

  /** True while the current revision's listing may still be incomplete (the next poll lists). */
  get settling(): boolean {
    return !this.#settled;
  }

  /** Seconds between polls; setting a value ≤ 0 throws `ValidationError`. */
  get pollInterval(): number {
    return this.#interval;
  }

  set pollInterval(seconds: number) {
    this.#interval = positive(seconds);
  }

  /** Whether the loop runs. */
  get isRunning(): boolean {
    return this.#running;
  }

  /** Consecutive failed polls (the loop backs off while this is above 0). */
  get failures(): number {
    return this.#failures;
  }

  addChangeCallback(callback: ChangeCallback): void {
    this.#callbacks.push(callback);
  }

  removeChangeCallback(callback: ChangeCallback): void {
    const i = this.#callbacks.indexOf(callback);
    if (i >= 0) this.#callbacks.splice(i, 1);
  }

  /** Takes the current state as the baseline without reporting it. */
  async snapshot(): Promise<void> {
    const revision = await this.backend.revision();
    const seenAt = this.#now();
    const listedAt = this.#now();
    this.#snapshot = this.#index(await this.backend.listAll());
    this.#accept(revision, seenAt, listedAt);
  }

  /**
   * Records the revision a listing was made under. A revision first seen at `seenAt` is
   * complete in listings that start `visibilityLagMs` later (the store's contract).
   */
  #accept(revision: string, seenAt: number, listedAt: number): void {
    if (revision !== this.#revision) this.#settleAt = seenAt + this.visibilityLagMs;
    this.#revision = revision;
    this.#settled = listedAt >= this.#settleAt;
  }

  /**
   * One poll: compares `revision()`, lists only when it moved, reports and returns the changes.
   * Before any baseline, every bot counts as created. Concurrent calls share one poll.
   */
  pollOnce(): Promise<RegistryChange[]> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #poll(): Promise<RegistryChange[]> {
    // Read the revision before listing: a write in between moves it again, so the next poll lists.
    const revision = await this.backend.revision();
    const seenAt = this.#now();
    // Unchanged and settled: nothing to list. Unchanged but settling: list again, since the
    // listing may still lag a write the revision already counts.
    if (revision === this.#revision && this.#settled) return [];
    const listedAt = this.#now();
    const next = this.#newest(this.#snapshot, this.#index(await this.backend.listAll()));
    const changes = this.#diff(this.#snapshot, next);
    this.#snapshot = next;
    this.#accept(revision, seenAt, listedAt);
    for (const change of changes) await this.#emit(change);
    return changes;
  }

  #index(list: Registration[]): Map<string, Seen> {
    return new Map(
      list.map((r) => [
        r.botId,
        {
          version: r.version,
          created: r.createdAt.getTime(),
          etag: r.etag,
          status: r.status,
          config: r.config,
        },
      ]),
    );
  }

  /**
   * `after` with each bot that a lagging listing shows at a version lower than `before` holds
   * (the same bot: created no later) put back to what `before` holds: versions never go back.
   */
  #newest(before: Map<string, Seen>, after: Map<string, Seen>): Map<string, Seen> {
    for (const [botId, now] of after) {
      const was = before.get(botId);
      if (was && now.version < was.version && now.created <= was.created) after.set(botId, was);
    }
    return after;
  }

  #diff(before: Map<string, Seen>, after: Map<string, Seen>): RegistryChange[] {
    const changes: RegistryChange[] = [];
    for (const [botId, now] of after) {
      const was = before.get(botId);
      if (!was) {
        changes.push({
          botId,
          type: EventType.CREATED,
          oldConfig: null,
          newConfig: now.config,
          version: now.version,
        });
      } else if (was.version !== now.version || was.etag !== now.etag) {
        let type: EventType = EventType.UPDATED;
        if (was.status === "active" && now.status !== "active") type = EventType.DEACTIVATED;
        else if (was.status !== "active" && now.status === "active") type = EventType.ACTIVATED;
        changes.push({
          botId,
          type,
          oldConfig: was.config,
          newConfig: now.config,
          version: now.version,
        });
      }
    }
    for (const [botId, was] of before) {
      if (!after.has(botId)) {
        changes.push({
          botId,
          type: EventType.DELETED,
          oldConfig: was.config,
          newConfig: null,
          version: null,
        });
      }
    }
    return changes;
  }

  async #emit(change: RegistryChange): Promise<void> {
    if (this.eventBus) {
      const event = new Event({
        type: change.type,
        topic: this.eventTopic,
        payload: { bot_id: change.botId, instance_id: change.botId, version: change.version },
        source: "registry_poller",
      });
      try {
        await this.eventBus.publish(this.eventTopic, event);
      } catch (error) {
        this.#report(error, `publishing ${change.type} for '${change.botId}'`);
      }
    }
    for (const callback of [...this.#callbacks]) {
      try {
        await callback(change.botId, change.oldConfig, change.newConfig);
      } catch (error) {
        this.#report(error, `change callback for '${change.botId}'`);
      }
    }
  }

  /** Takes the baseline, then polls every `pollInterval` seconds until `stop()`. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.snapshot();
    } catch (error) {
      this.#failures++;
      this.#report(error, "initial registry snapshot");
    }
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running) return;
    // Back off exponentially while the backend fails; the last good snapshot keeps serving.
    const delay = Math.min(
      this.#interval * 1000 * 2 ** this.#failures,
      Math.max(this.#maxBackoffMs, this.#interval * 1000),
    );
    this.#timer = setTimeout(() => void this.#tick(), delay);
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    try {
      await this.pollOnce();
      this.#failures = 0;
    } catch (error) {
      this.#failures++;
      this.#report(error, "registry poll");
    }
    this.#schedule();
  }

  /** Stops the loop (and waits for a poll under way). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#polling?.catch(() => {});
  }
}
