/**
 * `botknobs/node`: serving the API on Node (`serveApp`, with WebSocket upgrades through `ws`, and
 * `withRawRequest` for calling `@hono/node-server` yourself), plus, for convenience, everything of
 * `botknobs/fs` (the file stores run on Node, Deno and Bun alike; import them from there when
 * you do not serve), the SQLite and PostgreSQL record stores, the Redis and PostgreSQL event
 * buses, and the seed's factories knowing `file`, `sqlite` and `postgres` (registry; `sqlite` and
 * `postgres` as search indexes too: `nodeSearchIndexes`, the classes in `botknobs/sqlite` and
 * `botknobs/postgres`, loaded on first use) and `redis` and `postgres` (events) — their drivers and clients load when a store opens or a bus connects:
 * `createRegistryBackend`, `nodeRecordStores` and `nodeRegistryBackends` here shadow botknobs/fs's,
 * which know `file` only.
 * @module
 */
export * from "../fs/index.ts";
export {
  POSTGRES_MAX_EVENT_BYTES,
  PostgresEventBus,
  type PostgresEventBusOptions,
} from "../postgres/postgres-event-bus.ts";
export {
  PostgresRecordStore,
  type PostgresRecordStoreOptions,
} from "../postgres/postgres-record-store.ts";
export { RedisEventBus, type RedisEventBusOptions } from "../redis/index.ts";
export {
  SqliteRecordStore,
  type SqliteRecordStoreOptions,
} from "../sqlite/sqlite-record-store.ts";
export { createEventBus, nodeEventBuses } from "./node-event-buses.ts";
export {
  createRegistryBackend,
  createSearchIndex,
  nodeRecordStores,
  nodeRegistryBackends,
  nodeSearchIndexes,
} from "./node-factories.ts";
export { type NodeFetch, withRawRequest } from "./node-raw-request.ts";
export {
  SERVE_TIMEOUTS,
  type Served,
  type ServeOptions,
  serveApp,
  upgradeWebSocket,
} from "./node-serve.ts";
