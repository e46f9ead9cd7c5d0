/**
 * The options and results of `CachingRegistryManager` (`caching-manager.ts`).
 * @module
 */
import type { ErrorReporter, EventBus } from "../events/types.ts";
import type { RegistryBackend } from "../registry/types.ts";

/** Options of `CachingRegistryManager`. */
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

/** Options of `CachingRegistryManager.getOrCreate`. */
export interface GetOrCreateOptions {
  /** Build a new instance even when a fresh one is cached (the old one is destroyed). */
  forceRefresh?: boolean;
  /**
   * Serve the version this label points at (default `latest`: the current one). Instances are
   * cached per version, so labels naming one version share its instance.
   */
  label?: string;
  /**
   * The caller's key (a user or session id) a split label resolves by, with a stable hash: one
   * key gets one version until the split changes. Without one a split serves its primary version.
   */
  key?: string;
}

/** What `CachingRegistryManager.serve` returns: the instance and what it serves. */
export interface Served<T> {
  instance: T;
  /** The registry version the instance was built from (for logs and metrics). */
  version: number;
  /** The label asked for (`latest` by default). */
  label: string;
}

/** What `CachingRegistryManager.getCacheStats` reports. */
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
