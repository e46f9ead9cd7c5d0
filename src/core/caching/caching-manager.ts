/**
 * {@link CachingRegistryManager}: bot instances built from registry configs, cached with TTL and
 * true LRU, created once per id however many callers ask at once, invalidated by events, and
 * destroyed exactly once whichever way they leave the cache.
 * @module
 */
import { ClosedError, NotFoundError, ValidationError } from "../errors.ts";
import { Event, EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus, Subscription } from "../events/types.ts";
import type { Registration } from "../registry/registration.ts";
import { REGISTRY_TOPIC, type RegistryBackend } from "../registry/types.ts";
import { coarseNow } from "../util/clock.ts";
import { Once } from "../util/once.ts";
import { type JsonObject, validateBotId } from "../validate.ts";
import { LruList, type LruNode } from "./lru.ts";

/** Options of {@link CachingRegistryManager}. */
export interface CachingRegistryManagerOptions {
  backend: RegistryBackend;
  /** Invalidates on `updated`/`deleted`/`deactivated` events of `eventTopic`. */
  eventBus?: EventBus;
  /** Seconds an instance stays fresh (default 300; 0 means every call creates anew). */
  cacheTtl?: number;
  /** Most instances kept (default 1000); the least recently used leaves first. */
  maxCacheSize?: number;
  /** Default `"registry:bots"`, where registry backends publish. */
  eventTopic?: string;
  /** The clock in ms (default: `Date.now`, read at most once per timer tick); inject one to test TTL without sleeping. */
  now?: () => number;
  /** Told about failures that do not fail a call (a throwing `destroyInstance`). */
  onError?: ErrorReporter;
}

/** Options of {@link CachingRegistryManager.getOrCreate}. */
export interface GetOrCreateOptions {
  /** Build a new instance even when a fresh one is cached (the old one is destroyed). */
  forceRefresh?: boolean;
}

/** What {@link CachingRegistryManager.getCacheStats} reports. */
export interface CacheStats {
  size: number;
  maxSize: number;
  ttlSeconds: number;
  hits: number;
  misses: number;
  /** Instances removed to make room (LRU). */
  evictions: number;
  /** Instances found past their TTL. */
  expired: number;
  /** Instances removed by `invalidate`, `invalidateAll`, events or `forceRefresh`. */
  invalidations: number;
  /** Calls to `createInstance`. */
  creations: number;
}

/** Why an instance left the cache. */
type Exit = "evicted" | "expired" | "invalidated" | "closed";

/** One creation under way for an id; `stale` is set when the id is invalidated meanwhile. */
interface Flight<T> {
  promise: Promise<T>;
  stale: boolean;
}

const INVALIDATING: ReadonlySet<string> = new Set([
  EventType.UPDATED,
  EventType.DELETED,
  EventType.DEACTIVATED,
]);

/**
 * Caches instances built from registry configs. Subclass it and implement `createInstance`
 * (and `destroyInstance` when instances hold resources).
 * @example
 * class BotManager extends CachingRegistryManager<Bot> {
 *   async createInstance(botId: string, config: JsonObject) { return new Bot(botId, config) }
 *   override async destroyInstance(bot: Bot) { await bot.close() }
 * }
 * const manager = new BotManager({ backend, eventBus, cacheTtl: 300 });
 * await manager.initialize();
 * const bot = await manager.getOrCreate("support-bot");
 */
export abstract class CachingRegistryManager<T> {
  readonly backend: RegistryBackend;
  readonly eventBus: EventBus | undefined;
  readonly cacheTtl: number;
  readonly maxCacheSize: number;
  readonly eventTopic: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #report: ErrorReporter;
  readonly #lru = new LruList<T>();
  readonly #flights = new Map<string, Flight<T>>();
  readonly #destroying = new Set<Promise<void>>();
  #subscription: Subscription | undefined;
  readonly #initialized = new Once();
  #closed = false;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expired = 0;
  #invalidations = 0;
  #creations = 0;

  constructor(options: CachingRegistryManagerOptions) {
    const { cacheTtl = 300, maxCacheSize = 1000 } = options;
    if (!(cacheTtl >= 0))
      throw new ValidationError(`Invalid cacheTtl ${cacheTtl}: must be ≥ 0 seconds`);
    if (!Number.isInteger(maxCacheSize) || maxCacheSize < 1) {
      throw new ValidationError(`Invalid maxCacheSize ${maxCacheSize}: must be an integer ≥ 1`);
    }
    this.backend = options.backend;
    this.eventBus = options.eventBus;
    this.cacheTtl = cacheTtl;
    this.maxCacheSize = maxCacheSize;
    this.eventTopic = options.eventTopic ?? REGISTRY_TOPIC;
    this.#ttlMs = cacheTtl * 1000;
    this.#now = options.now ?? coarseNow;
    this.#report = options.onError ?? (() => {});
  }

  /** Builds an instance from a bot's config (the seed's `_create_instance`). */
  protected abstract createInstance(
    botId: string,
    config: JsonObject,
    registration: Registration,
  ): Promise<T> | T;

  /** Releases an instance (the seed's `_destroy_instance`); called exactly once per instance. */
  protected destroyInstance(_instance: T): Promise<void> | void {}

  /** Initializes the backend and subscribes to the registry topic. Idempotent; reopens after `close()`. */
  initialize(): Promise<void> {
    this.#closed = false;
    return this.#initialized.run(async () => {
      await this.backend.initialize();
      if (this.eventBus) {
        this.#subscription = await this.eventBus.subscribe(this.eventTopic, (event) =>
          this.#onEvent(event),
        );
      }
    });
  }

  /** The number of cached instances. */
  get cacheSize(): number {
    return this.#lru.size;
  }

  /**
   * The cached instance, or a new one from the registry. Concurrent callers for one id share one
   * creation; a missing or inactive bot throws `NotFoundError`.
   */
  getOrCreate(botId: string, options?: GetOrCreateOptions): Promise<T> {
    // Not an async function: a hit returns an already-resolved promise without an async frame.
    if (options?.forceRefresh !== true) {
      const node = this.#fresh(botId);
      if (node !== undefined) return Promise.resolve(node.value);
    }
    return this.#miss(botId, options?.forceRefresh === true);
  }

  /**
   * The fresh cached instance, synchronously, or `undefined` (never loads). A hit counts as a hit
   * and refreshes recency, like `getOrCreate`; an expired instance is removed and destroyed.
   */
  peek(botId: string): T | undefined {
    return this.#fresh(botId)?.value;
  }

  /** The hot path: a fresh node (counted as a hit, moved to the front), or undefined. */
  #fresh(botId: string): LruNode<T> | undefined {
    const node = this.#lru.get(botId);
    if (node === undefined) return undefined;
    if (this.#now() - node.cachedAt < this.#ttlMs) {
      this.#hits++;
      this.#lru.touch(node);
      return node;
    }
    this.#expired++;
    void this.#exit(node, "expired");
    return undefined;
  }

  #miss(botId: string, forceRefresh: boolean): Promise<T> {
    if (this.#closed)
      return Promise.reject(
        new ClosedError("CachingRegistryManager is closed; call initialize() to reopen"),
      );
    try {
      validateBotId(botId);
    } catch (error) {
      return Promise.reject(error);
    }
    const inFlight = this.#flights.get(botId);
    // An in-flight creation reads the registry now, so it is as fresh as a forced one.
    if (inFlight) return inFlight.promise;
    this.#misses++;
    const flight: Flight<T> = { promise: undefined as never, stale: false };
    flight.promise = this.#create(botId, flight, forceRefresh).finally(() => {
      if (this.#flights.get(botId) === flight) this.#flights.delete(botId);
    });
    this.#flights.set(botId, flight);
    return flight.promise;
  }

  async #create(botId: string, flight: Flight<T>, forceRefresh: boolean): Promise<T> {
    await this.initialize();
    for (let attempt = 0; ; attempt++) {
      const registration = await this.backend.peek(botId);
      if (!registration) throw new NotFoundError(`No configuration found for: ${botId}`);
      if (registration.status !== "active") {
        throw new NotFoundError(
          `Bot '${botId}' is ${registration.status}; no configuration found for: ${botId}`,
        );
      }
      this.#creations++;
      const instance = await this.createInstance(botId, registration.config, registration);
      if (this.#closed) {
        void this.#destroy(instance);
        throw new ClosedError("CachingRegistryManager closed while creating an instance");
      }
      if (flight.stale && attempt < 3) {
        // Invalidated while we built it from a config that may be stale: join the newer creation
        // if there is one, else build again.
        void this.#destroy(instance);
        const newer = this.#flights.get(botId);
        if (newer && newer !== flight) return newer.promise;
        flight.stale = false;
        this.#flights.set(botId, flight);
        continue;
      }
      const old = this.#lru.get(botId);
      if (old) void this.#exit(old, forceRefresh ? "invalidated" : "expired");
      this.#lru.insert(botId, instance, this.#now());
      // Destructions run in the background (close() waits for them); the caller need not.
      while (this.#lru.size > this.maxCacheSize)
        void this.#exit(this.#lru.last as LruNode<T>, "evicted");
      return instance;
    }
  }

  /** Removes a node and destroys its instance, once. */
  #exit(node: LruNode<T>, why: Exit): Promise<void> {
    if (!this.#lru.remove(node)) return Promise.resolve();
    if (why === "evicted") this.#evictions++;
    else if (why === "invalidated") this.#invalidations++;
    return this.#destroy(node.value);
  }

  #destroy(instance: T): Promise<void> {
    const done = (async () => {
      try {
        await this.destroyInstance(instance);
      } catch (error) {
        this.#report(error, "destroyInstance");
      }
    })();
    this.#destroying.add(done);
    void done.then(() => this.#destroying.delete(done));
    return done;
  }

  /** Drops and destroys the cached instance of `botId`; false when none was cached. */
  async invalidate(botId: string): Promise<boolean> {
    const flight = this.#flights.get(botId);
    if (flight) {
      flight.stale = true;
      this.#flights.delete(botId);
    }
    const node = this.#lru.get(botId);
    if (!node) return false;
    await this.#exit(node, "invalidated");
    return true;
  }

  /** Drops and destroys every cached instance; returns how many there were. */
  async invalidateAll(): Promise<number> {
    for (const flight of this.#flights.values()) flight.stale = true;
    this.#flights.clear();
    const nodes = [...this.#lru.nodes()];
    await Promise.all(nodes.map((n) => this.#exit(n, "invalidated")));
    return nodes.length;
  }

  /** True when an instance of `botId` is cached (fresh or not yet found expired). */
  isCached(botId: string): boolean {
    return this.#lru.get(botId) !== undefined;
  }

  /** Counters since construction. */
  getCacheStats(): CacheStats {
    return {
      size: this.#lru.size,
      maxSize: this.maxCacheSize,
      ttlSeconds: this.cacheTtl,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expired: this.#expired,
      invalidations: this.#invalidations,
      creations: this.#creations,
    };
  }

  /** Asks every manager on the bus (this one included) to drop `botId`. */
  async publishInvalidation(botId: string, type: EventType = EventType.UPDATED): Promise<void> {
    if (!this.eventBus) return;
    const event = new Event({
      type,
      topic: this.eventTopic,
      payload: { bot_id: botId, instance_id: botId },
      source: "caching_manager",
    });
    await this.eventBus.publish(this.eventTopic, event);
  }

  async #onEvent(event: Event): Promise<void> {
    if (!INVALIDATING.has(event.type)) return;
    const id = event.payload.bot_id ?? event.payload.instance_id;
    if (typeof id === "string" && id !== "") await this.invalidate(id);
  }

  /**
   * Unsubscribes, destroys every cached instance and waits for pending destructions. The
   * backend is the caller's: it is not closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#subscription?.cancel();
    this.#subscription = undefined;
    this.#initialized.reset();
    for (const flight of this.#flights.values()) flight.stale = true;
    this.#flights.clear();
    await Promise.all([...this.#lru.nodes()].map((n) => this.#exit(n, "closed")));
    while (this.#destroying.size > 0) await Promise.all(this.#destroying);
  }
}
