/**
 * {@link HotReloadManager}: keeps a caching manager in step with its registry by events, by
 * polling, or both.
 * @module
 */
import type { CachingRegistryManager } from "../caching/caching-manager.ts";
import { ValidationError } from "../errors.ts";
import { type Event, EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus, Subscription } from "../events/types.ts";
import { REGISTRY_TOPIC, type RegistryBackend } from "../registry/types.ts";
import { RegistryPoller } from "./poller.ts";

/** How changes reach the cache. Values are the seed's strings. */
export const ReloadMode = {
  POLLING: "polling",
  EVENT_DRIVEN: "event_driven",
  HYBRID: "hybrid",
} as const;
/** One of the {@link ReloadMode} values. */
export type ReloadMode = (typeof ReloadMode)[keyof typeof ReloadMode];

/** Options of {@link HotReloadManager}. */
export interface HotReloadManagerOptions<T> {
  cachingManager: CachingRegistryManager<T>;
  /** Default: the caching manager's backend. */
  backend?: RegistryBackend;
  eventBus?: EventBus;
  /** Default: `EVENT_DRIVEN` with a bus, else `POLLING`. */
  mode?: ReloadMode;
  /** Seconds between polls (default 5); `pollInterval` is the original's spelling. */
  pollingInterval?: number;
  pollInterval?: number;
  /** Start polling in `initialize()` (default true). */
  autoStart?: boolean;
  /** The registry topic to follow (default `"registry:bots"`). */
  eventTopic?: string;
  onError?: ErrorReporter;
}

/** What {@link HotReloadManager.getStats} reports. */
export interface HotReloadStats {
  mode: ReloadMode;
  running: boolean;
  reloadCount: number;
  lastReloadTime: Date | null;
  /** Cached instances dropped because of a change (event or poll). */
  invalidations: number;
  pollInterval?: number;
  pollerRunning?: boolean;
}

const CHANGES: ReadonlySet<string> = new Set([
  EventType.UPDATED,
  EventType.DELETED,
  EventType.DEACTIVATED,
]);

/**
 * Coordinates polling, events and cache invalidation.
 * @example
 * const hotReload = new HotReloadManager({ backend, cachingManager: manager, eventBus, mode: ReloadMode.HYBRID, pollingInterval: 60 });
 * await hotReload.initialize();
 * // …
 * await hotReload.shutdown();
 */
export class HotReloadManager<T> {
  readonly cachingManager: CachingRegistryManager<T>;
  readonly backend: RegistryBackend;
  readonly eventBus: EventBus | undefined;
  readonly mode: ReloadMode;
  readonly eventTopic: string;
  /** The poller in POLLING and HYBRID modes. */
  readonly poller: RegistryPoller | undefined;
  readonly #autoStart: boolean;
  readonly #report: ErrorReporter;
  readonly #callbacks: ((botId: string) => void | Promise<void>)[] = [];
  #subscription: Subscription | undefined;
  #initialized = false;
  #running = false;
  #reloadCount = 0;
  #lastReloadTime: Date | null = null;
  #invalidations = 0;

  constructor(options: HotReloadManagerOptions<T>) {
    this.cachingManager = options.cachingManager;
    this.backend = options.backend ?? options.cachingManager.backend;
    this.eventBus = options.eventBus;
    this.mode = options.mode ?? (options.eventBus ? ReloadMode.EVENT_DRIVEN : ReloadMode.POLLING);
    if (!Object.values(ReloadMode).includes(this.mode)) {
      throw new ValidationError(
        `Invalid mode '${String(this.mode)}': expected polling, event_driven or hybrid`,
      );
    }
    if (this.mode !== ReloadMode.POLLING && !this.eventBus) {
      throw new ValidationError(`Mode '${this.mode}' needs an eventBus`);
    }
    this.eventTopic = options.eventTopic ?? REGISTRY_TOPIC;
    this.#autoStart = options.autoStart ?? true;
    this.#report = options.onError ?? (() => {});
    if (this.mode !== ReloadMode.EVENT_DRIVEN) {
      this.poller = new RegistryPoller({
        backend: this.backend,
        pollInterval: options.pollingInterval ?? options.pollInterval ?? 5,
        onChange: (botId, _old, next) =>
          this.#changed(botId, next === null ? EventType.DELETED : EventType.UPDATED),
        onError: this.#report,
      });
    }
  }

  /** Whether polling/subscription is active. */
  get isRunning(): boolean {
    return this.#running;
  }

  get reloadCount(): number {
    return this.#reloadCount;
  }

  /** Subscribes (EVENT_DRIVEN, HYBRID) and, with `autoStart`, starts polling. Idempotent. */
  async initialize(): Promise<void> {
    if (this.#initialized) return;
    this.#initialized = true;
    if (this.#autoStart) await this.start();
  }

  /** Starts following changes. Idempotent. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (this.mode !== ReloadMode.POLLING && this.eventBus) {
      this.#subscription = await this.eventBus.subscribe(this.eventTopic, (e) => this.#onEvent(e));
    }
    await this.poller?.start();
  }

  /** Stops following changes. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#subscription?.cancel();
    this.#subscription = undefined;
    await this.poller?.stop();
  }

  /** Stops; the caching manager, backend and bus stay open (they are the caller's). */
  async close(): Promise<void> {
    await this.stop();
    this.#initialized = false;
  }

  /** The seed's name for {@link HotReloadManager.close}. */
  shutdown(): Promise<void> {
    return this.close();
  }

  async #onEvent(event: Event): Promise<void> {
    const id = event.payload.bot_id ?? event.payload.instance_id;
    if (CHANGES.has(event.type) && typeof id === "string") {
      await this.#changed(id, event.type);
    } else if (event.payload.reconnected === true) {
      // The bus lost its connection: events may have been missed. Poll now (HYBRID), or drop
      // everything so the next call reloads (EVENT_DRIVEN).
      if (this.poller)
        await this.poller.pollOnce().catch((e: unknown) => this.#report(e, "resync poll"));
      else this.#invalidations += await this.cachingManager.invalidateAll();
    }
  }

  async #changed(botId: string, _type: EventType): Promise<void> {
    // invalidate() removes an instance at most once, so events and polls never double-destroy.
    if (await this.cachingManager.invalidate(botId)) this.#invalidations++;
  }

  /** Rebuilds one bot now (throws `NotFoundError` when it is gone). */
  async reload(botId: string): Promise<T> {
    await this.cachingManager.invalidate(botId);
    const instance = await this.cachingManager.getOrCreate(botId, { forceRefresh: true });
    this.#reloadCount++;
    this.#lastReloadTime = new Date();
    for (const callback of [...this.#callbacks]) {
      try {
        await callback(botId);
      } catch (error) {
        this.#report(error, `reload callback for '${botId}'`);
      }
    }
    return instance;
  }

  /** Drops every cached instance; returns how many. */
  reloadAll(): Promise<number> {
    return this.cachingManager.invalidateAll();
  }

  addReloadCallback(callback: (botId: string) => void | Promise<void>): void {
    this.#callbacks.push(callback);
  }

  removeReloadCallback(callback: (botId: string) => void | Promise<void>): void {
    const i = this.#callbacks.indexOf(callback);
    if (i >= 0) this.#callbacks.splice(i, 1);
  }

  getStats(): HotReloadStats {
    const stats: HotReloadStats = {
      mode: this.mode,
      running: this.#running,
      reloadCount: this.#reloadCount,
      lastReloadTime: this.#lastReloadTime,
      invalidations: this.#invalidations,
    };
    if (this.poller) {
      stats.pollInterval = this.poller.pollInterval;
      stats.pollerRunning = this.poller.isRunning;
    }
    return stats;
  }
}
