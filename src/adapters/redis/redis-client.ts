/**
 * Connections to Redis for {@link RedisEventBus}: the `redis` package (node-redis 5, an optional
 * peer dependency) imported on first use only, and its options from the seed's keys.
 * @module
 */
import { AdapterError, errorMessage, ValidationError } from "../../core/errors.ts";
import { optionalImport } from "../../core/util/optional-import.ts";
import type { RedisClientLike, RedisModuleLike } from "./types.ts";

/** Where Redis is: a `url`, or its parts (default `127.0.0.1:6379`, database 0). */
export interface RedisConnection {
  /** `redis[s]://[[username][:password]@][host][:port][/database]`; the parts below override it. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** The database number (`SELECT`). */
  database?: number;
  /** TLS (as `rediss://` does). */
  tls?: boolean;
}

/** Imports `redis` once; a missing package is an `AdapterError` saying what to install. */
export function loadRedis(): Promise<RedisModuleLike> {
  return optionalImport<RedisModuleLike>("redis", "redis", "npm install redis@5");
}

/** Checks the connection keys (a bad one is a `ValidationError` naming it). */
export function checkRedisConnection(connection: RedisConnection): void {
  const { url, port, database } = connection;
  if (url !== undefined && !/^rediss?:\/\/\S*$/i.test(url))
    throw new ValidationError(`Invalid Redis url ${JSON.stringify(url)}: expected redis[s]://…`);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536))
    throw new ValidationError(`Invalid Redis port ${port}: expected 1–65535`);
  if (database !== undefined && !(Number.isInteger(database) && database >= 0))
    throw new ValidationError(`Invalid Redis database ${database}: expected an integer ≥ 0`);
}

/** Where a connection goes, for messages (never the password). */
export function describeRedis(connection: RedisConnection): string {
  if (connection.url !== undefined) {
    try {
      const u = new URL(connection.url);
      return `${u.hostname}:${u.port || 6379}`;
    } catch {
      return "redis";
    }
  }
  return `${connection.host ?? "127.0.0.1"}:${connection.port ?? 6379}`;
}

/**
 * A connected client. `reconnect` false: a lost connection stays lost (the caller opens another);
 * otherwise node-redis reconnects by itself with backoff (up to 2 s) and queues commands meanwhile.
 * Either way a first connection that fails rejects, as an `AdapterError`.
 */
export async function openRedis(
  connection: RedisConnection,
  reconnect: boolean,
  onError: (error: unknown) => void,
): Promise<RedisClientLike> {
  const redis = await loadRedis();
  let up = false;
  const socket: Record<string, unknown> = {
    connectTimeout: 5000,
    // Before the first connection an error ends the attempt (connect rejects).
    reconnectStrategy: (retries: number, cause: unknown) =>
      up && reconnect ? Math.min(50 * 2 ** retries, 2000) : cause,
  };
  if (connection.host !== undefined) socket.host = connection.host;
  if (connection.port !== undefined) socket.port = connection.port;
  if (connection.tls !== undefined) socket.tls = connection.tls;
  const options: Record<string, unknown> = { socket };
  if (connection.url !== undefined) options.url = connection.url;
  else socket.host ??= "127.0.0.1";
  for (const key of ["username", "password", "database"] as const)
    if (connection[key] !== undefined) options[key] = connection[key];
  const client = redis.createClient(options);
  client.on("error", (error) => {
    if (up) onError(error);
  });
  try {
    await client.connect();
  } catch (error) {
    closeRedis(client);
    throw new AdapterError(
      "redis",
      `could not connect to ${describeRedis(connection)}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  up = true;
  return client;
}

/** Closes a client at once, pending commands rejected; one already closed is left as it is. */
export function closeRedis(client: RedisClientLike | null | undefined): void {
  try {
    client?.destroy();
  } catch {
    // node-redis throws when the client closed itself already (a failed first connection).
  }
}
