/**
 * Connections to PostgreSQL for {@link PostgresEventBus}: the `postgres` package (porsager's
 * postgres.js, an optional peer dependency) imported on first use only, its options from the
 * seed's keys, and the structural subset of it the bus calls.
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { optionalImport } from "../../core/util/optional-import.ts";

/** Where PostgreSQL is: a `connectionString`, or its parts (defaults: the client's, from `PG*` variables). */
export interface PostgresConnection {
  /** `postgres://user:password@host:port/database?sslmode=…`; the parts below override it. */
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** TLS: `true` requires it. */
  ssl?: boolean;
}

/** What runs a query: a postgres.js client or its transaction. */
export interface PostgresQueryLike {
  /** A query with `$1…` parameters sent apart from the text (never spliced into it). */
  unsafe(query: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** One postgres.js client (a pool of `max` connections), as the bus calls it. */
export interface PostgresSqlLike extends PostgresQueryLike {
  /** A transaction on one connection. */
  begin<T>(fn: (sql: PostgresQueryLike) => Promise<T>): Promise<T>;
  end(options?: { timeout?: number }): Promise<void>;
}

/** What `import("postgres")` gives. */
export interface PostgresModuleLike {
  default: {
    (options: Record<string, unknown>): PostgresSqlLike;
    (url: string, options: Record<string, unknown>): PostgresSqlLike;
  };
}

/** Imports `postgres` once; a missing package is an `AdapterError` saying what to install. */
export function loadPostgres(): Promise<PostgresModuleLike> {
  return optionalImport<PostgresModuleLike>("postgres", "postgres", "npm install postgres@4");
}

/** Checks the connection keys (a bad one is a `ValidationError` naming it). */
export function checkPostgresConnection(connection: PostgresConnection): void {
  const { connectionString, port } = connection;
  if (connectionString !== undefined && !/^postgres(ql)?:\/\/\S*$/i.test(connectionString))
    throw new ValidationError(
      `Invalid PostgreSQL connection string: expected postgres://… (got ${JSON.stringify(connectionString.slice(0, 12))}…)`,
    );
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536))
    throw new ValidationError(`Invalid PostgreSQL port ${port}: expected 1–65535`);
}

/** Where a connection goes, for messages (never the password). */
export function describePostgres(connection: PostgresConnection): string {
  if (connection.host !== undefined) return `${connection.host}:${connection.port ?? 5432}`;
  if (connection.connectionString !== undefined) {
    try {
      const u = new URL(connection.connectionString);
      return `${u.hostname}:${u.port || 5432}`;
    } catch {
      return "postgres";
    }
  }
  return "postgres";
}

/**
 * A client over `connection` with `extra` postgres.js options (`max`, `onnotify`, `onclose`, …).
 * No connection is made until its first query.
 */
export async function openPostgres(
  connection: PostgresConnection,
  extra: Record<string, unknown>,
): Promise<PostgresSqlLike> {
  const { default: postgres } = await loadPostgres();
  const options: Record<string, unknown> = { onnotice: () => {}, ...extra };
  for (const key of ["host", "port", "database", "password"] as const)
    if (connection[key] !== undefined) options[key] = connection[key];
  if (connection.user !== undefined) options.username = connection.user;
  if (connection.ssl !== undefined) options.ssl = connection.ssl ? "require" : false;
  const url = connection.connectionString;
  return url === undefined ? postgres(options) : postgres(url, options);
}
