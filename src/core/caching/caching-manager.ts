/**
 * {@link CachingRegistryManager}: bot instances built from registry configs, cached with TTL and
 * true LRU, created once per id however many callers ask at once, invalidated by events, and
 * destroyed exactly once whichever way they leave the cache. With a `label` (and a caller `key`
 * for a split), an instance of the version the label serves: a label move is an `updated`
 * event, so a manager on the bus serves the new version from its next call.
 * @module
 */
import { ClosedError, NotFoundError, ValidationError } from "../errors.ts";
import { Event, EventType } from "../events/event.ts";
import type { ErrorReporter, EventBus, Subscription } from "../events/types.ts";
import { checkLabelKey } from "../registry/base-backend.ts";
import { checkLabelName, LATEST_LABEL } from "../registry/labels.ts";
import type { Registration } from "../registry/registration.ts";
import { REGISTRY_TOPIC, type RegistryBackend } from "../registry/types.ts";
import { coarseNow } from "../util/clock.ts";
import { Once } from "../util/once.ts";
import { type JsonObject, validateBotId } from "../validate.ts";
import { LabelCache } from "./label-cache.ts";
import { indexFor, type Route } from "./label-routes.ts";
import { LruList, type LruNode } from "./lru.ts";
import type {
  CacheStats,
  CachingRegistryManagerOptions,
  GetOrCreateOptions,
  Served,
} from "./types.ts";

export type {
  CacheStats,
  CachingRegistryManagerOptions,
  GetOrCreateOptions,
  Served,
} from "./types.ts";

/** Why an instance left the cache. */
type Exit = "evicted" | "expired" | "invalidated" | "closed";

/** One creation under way for an id; `stale` is set when the id is invalidated meanwhile. */
interface Flight<T> {
  promise: Promise<LruNode<T>>;
  stale: boolean;
}

const instanceOf = <T>(node: LruNode<T>): T => node.value;

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
  readonly #labels: LabelCache<T>;
  #lastLabel = "";
  #lastBots: Map<string, Route<T>> | undefined;
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
    this.#labels = new LabelCache<T>({
      backend: this.backend,
      ttlMs: this.#ttlMs,
      now: this.#now,
      hit: (node) => {
        this.#hits++;
        this.#lru.touch(node);
      },
      miss: () => {
        this.#misses++;
      },
      build: async (botId, registration) => {
        this.#creations++;
        const instance = await this.createInstance(botId, registration.config, registration);
        if (this.#closed) {
          void this.#destroy(instance);
          throw new ClosedError("CachingRegistryManager closed while creating an instance");
        }
        return instance;
      },
      keep: (key, instance, version, force) => this.#keep(key, instance, version, force),
      destroy: (instance) => void this.#destroy(instance),
    });
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
   * creation; a missing or inactive bot throws `NotFoundError`. With `label`, an instance of the
   * version it points at (for `key`, when it splits); a missing label is a `NotFoundError` too.
   */
  getOrCreate(botId: string, options?: GetOrCreateOptions): Promise<T> {
    // Not an async function: a hit returns an already-resolved promise without an async frame.
    if (options === undefined) {
      // The plain hit, first: no option to read.
      const node = this.#fresh(botId);
      if (node !== undefined) return Promise.resolve(node.value);
      return this.#miss(botId, false).then(instanceOf);
    }
    const label = options.label;
    if (options.forceRefresh !== true) {
      if (label === undefined || label === LATEST_LABEL) {
        const node = this.#fresh(botId);
        if (node !== undefined) return Promise.resolve(node.value);
      } else {
        const node = this.#labelHit(botId, label, options.key);
        if (node !== undefined) return Promise.resolve(node.value);
      }
    }
    if (label === undefined || label === LATEST_LABEL)
      return this.#miss(botId, options.forceRefresh === true).then(instanceOf);
    // The options object goes no further than this call (a caller's literal need not be kept).
    return this.#labelMiss(botId, label, options.key, options.forceRefresh === true).then(
      instanceOf,
    );
  }

  /**
   * The labelled hot path: the fresh instance node a label (and key) resolves to (counted as a
   * hit, moved to the front), or undefined.
   */
  #labelHit(botId: string, label: string, key: string | undefined): LruNode<T> | undefined {
    // Callers ask for one label or two: the last one's routes are at hand without a lookup.
    let bots = this.#lastBots;
    if (label !== this.#lastLabel || bots === undefined) {
      bots = this.#labels.routes.get(label);
      if (bots === undefined) return undefined;
      this.#lastLabel = label;
      this.#lastBots = bots;
    }
    const route = bots.get(botId);
    if (route === undefined) return undefined;
    const now = this.#now();
    if (now >= route.until) return undefined; // the labels were read a TTL ago: read them again
    // A plain label (or a split asked without a key) has its node at hand; a split hashes the key.
    const node =
      key === undefined || route.split === undefined
        ? route.node
        : route.nodes[indexFor(route, key)];
    if (node === undefined || !node.live || now - node.cachedAt >= this.#ttlMs) return undefined;
    this.#hits++;
    this.#lru.touch(node);
    return node;
  }

  /**
   * As {@link CachingRegistryManager.getOrCreate}, with the version the instance serves (for a
   * split, the one `key` resolved to) and the label: what to log, or count in metrics.
   * @example
   * const { instance, version } = await manager.serve("support-bot", { label: "canary", key: userId });
   */
  async serve(botId: string, options: GetOrCreateOptions = {}): Promise<Served<T>> {
    const label = options.label ?? LATEST_LABEL;
    let node: LruNode<T> | undefined;
    if (label === LATEST_LABEL) {
      if (options.forceRefresh !== true) node = this.#fresh(botId);
      node ??= await this.#miss(botId, options.forceRefresh === true);
    } else {
      if (options.forceRefresh !== true) node = this.#labelHit(botId, label, options.key);
      node ??= await this.#labelMiss(botId, label, options.key, options.forceRefresh === true);
    }
    return { instance: node.value, version: node.version, label };
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

  #miss(botId: string, forceRefresh: boolean): Promise<LruNode<T>> {
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

  async #create(botId: string, flight: Flight<T>, forceRefresh: boolean): Promise<LruNode<T>> {
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
      return this.#keep(botId, instance, registration.version, forceRefresh);
    }
  }

  /** Caches an instance under `key` (replacing one there), then evicts down to the size limit. */
  #keep(key: string, instance: T, version: number, forceRefresh: boolean): LruNode<T> {
    const old = this.#lru.get(key);
    if (old) void this.#exit(old, forceRefresh ? "invalidated" : "expired");
    const node = this.#lru.insert(key, instance, this.#now(), version);
    // Destructions run in the background (close() waits for them); the caller need not.
    while (this.#lru.size > this.maxCacheSize)
      void this.#exit(this.#lru.last as LruNode<T>, "evicted");
    return node;
  }

  async #labelMiss(
    botId: string,
    label: string,
    key: string | undefined,
    force: boolean,
  ): Promise<LruNode<T>> {
    if (this.#closed)
      throw new ClosedError("CachingRegistryManager is closed; call initialize() to reopen");
    validateBotId(botId);
    checkLabelName(label, true);
    const checked = checkLabelKey(key);
    await this.initialize();
    return this.#labels.miss(botId, label, checked, force);
  }

  /** Removes a node and destroys its instance, once. */
  #exit(node: LruNode<T>, why: Exit): Promise<void> {
    if (!this.#lru.remove(node)) return Promise.resolve();
    this.#labels.forget(node);
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

  /**
   * Drops and destroys the cached instances of `botId` (its current one and those of labelled
   * versions) and what it knows of its labels; false when nothing was cached.
   */
  async invalidate(botId: string): Promise<boolean> {
    const flight = this.#flights.get(botId);
    if (flight) {
      flight.stale = true;
      this.#flights.delete(botId);
    }
    const exits = this.#labels.drop(botId).map((node) => this.#exit(node, "invalidated"));
    const node = this.#lru.get(botId);
    if (node) exits.push(this.#exit(node, "invalidated"));
    await Promise.all(exits);
    return exits.length > 0;
  }

  /** Drops and destroys every cached instance; returns how many there were. */
  async invalidateAll(): Promise<number> {
    for (const flight of this.#flights.values()) flight.stale = true;
    this.#flights.clear();
    this.#labels.clear();
    const nodes = [...this.#lru.nodes()];
    await Promise.all(nodes.map((n) => this.#exit(n, "invalidated")));
    return nodes.length;
  }

  /** True when an instance of `botId`'s current version is cached (fresh or not yet found expired). */
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
    this.#labels.clear();
    await Promise.all([...this.#lru.nodes()].map((n) => this.#exit(n, "closed")));
    while (this.#destroying.size > 0) await Promise.all(this.#destroying);
  }
}
