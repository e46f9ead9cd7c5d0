/**
 * `botknobs/redis`: {@link RedisEventBus}, an event bus over a capped Redis stream that the
 * processes sharing a Redis server hear each other on, resuming by stream id after a lost
 * connection; and `createEventBus` knowing `{ backend: "redis" }`. Node, Deno and Bun; the
 * `redis` package (node-redis 5, an optional peer dependency) loads when a bus connects.
 * @module
 */
export type { RedisConnection } from "./redis-client.ts";
export {
  RedisEventBus,
  type RedisEventBusOptions,
} from "./redis-event-bus.ts";
export { createEventBus, redisEventBuses } from "./redis-factory.ts";
export type { RedisClientLike, RedisModuleLike } from "./types.ts";
