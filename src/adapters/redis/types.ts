/**
 * The structural subset of the `redis` package (node-redis 5) that {@link RedisEventBus} uses:
 * raw commands only, so the bus reads RESP2 replies as plain arrays and strings.
 * @module
 */

/** One connection of a node-redis client. */
export interface RedisClientLike {
  connect(): Promise<unknown>;
  /** A raw command (`["XADD", key, …]`); `timeout` in ms rejects it when unanswered by then. */
  sendCommand<T = unknown>(args: readonly string[], options?: { timeout?: number }): Promise<T>;
  /** A second connection with the same options (the blocking reads get their own). */
  duplicate(): RedisClientLike;
  on(event: "error", listener: (error: unknown) => void): unknown;
  /** Closes at once; pending commands reject. */
  destroy(): void;
}

/** The `redis` module: what `import("redis")` gives. */
export interface RedisModuleLike {
  createClient(options: Record<string, unknown>): RedisClientLike;
}
