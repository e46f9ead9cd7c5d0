/**
 * Broken caching and hot-reload managers for the mutant kit: subclasses of the suites'
 * `RecordingManager` and of `HotReloadManager`, each breaking one promise of the real one.
 */
import type { CachingRegistryManagerOptions } from "../../src/core/caching/caching-manager.ts";
import { HotReloadManager } from "../../src/core/reload/hot-reload.ts";
import { RecordingManager, type TestBot } from "../../src/testing/index.ts";

/** Destroys the instance it invalidates, then lets the cache's own exit destroy it again. */
export class DestroysTwice extends RecordingManager {
  override async invalidate(botId: string): Promise<boolean> {
    const instance = this.isCached(botId) ? this.peek(botId) : undefined;
    const removed = await super.invalidate(botId);
    if (instance) await this.destroyInstance(instance);
    return removed;
  }
}

/** Drops instances from the cache without ever destroying them. */
export class NeverDestroys extends RecordingManager {
  protected override async destroyInstance(): Promise<void> {}
}

/** Reads a clock that never moves: instances never expire, whatever the TTL. */
export class IgnoresTtl extends RecordingManager {
  constructor(options: CachingRegistryManagerOptions) {
    super({ ...options, now: () => 0 });
  }
}

/** Takes a negative TTL as 0 instead of refusing it. */
export class ClampsNegativeTtl extends RecordingManager {
  constructor(options: CachingRegistryManagerOptions) {
    super({ ...options, cacheTtl: Math.max(0, options.cacheTtl ?? 300) });
  }
}

/** No single flight: every caller of an id not yet cached starts a creation of its own. */
export class NoSingleFlight extends RecordingManager {
  override getOrCreate(botId: string, options?: { forceRefresh?: boolean }): Promise<TestBot> {
    // Invalidating an id that is not cached forgets its creation in flight.
    if (!this.isCached(botId)) void this.invalidate(botId);
    return super.getOrCreate(botId, options);
  }
}

/** Evicts in insertion order (FIFO): a hit does not make an instance recent. */
export class FifoEviction extends RecordingManager {
  readonly #limit: number;
  readonly #order: string[] = [];
  constructor(options: CachingRegistryManagerOptions) {
    super({ ...options, maxCacheSize: Number.MAX_SAFE_INTEGER });
    this.#limit = options.maxCacheSize ?? 1000;
  }
  override async getOrCreate(
    botId: string,
    options?: { forceRefresh?: boolean },
  ): Promise<TestBot> {
    const fresh = !this.isCached(botId);
    const bot = await super.getOrCreate(botId, options);
    if (fresh && !this.#order.includes(botId)) this.#order.push(botId);
    while (this.cacheSize > this.#limit) await this.invalidate(this.#order.shift() as string);
    return bot;
  }
}

/** `start()` does nothing: no subscription, no polling. */
export class StartDoesNothing extends HotReloadManager<TestBot> {
  override async start(): Promise<void> {}
}

/** `reload()` hands back the cached instance instead of rebuilding it. */
export class ReloadKeepsCached extends HotReloadManager<TestBot> {
  override reload(botId: string): Promise<TestBot> {
    return this.cachingManager.getOrCreate(botId);
  }
}
