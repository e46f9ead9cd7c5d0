/**
 * The PostgreSQL client of the `botknobs/postgres` adapters, made from the seed's keys
 * (`connection_string`, or `host`, `port`, `database`, `user`, `password`, `ssl`). The `postgres`
 * package (Postgres.js, an optional peer dependency) is imported here, when a client is made,
 * never when the adapter is imported: a bundle that does not use PostgreSQL holds no client.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type {
  SearchSqlConnection,
  SqlStatement,
} from "../../core/knowledge/index/sql-search-statements.ts";
import type { SqlConnection } from "../../core/registry/sql-record-store.ts";
import type { PostgresSqlLike } from "./types.ts";

/** Where a PostgreSQL server is: a `connection_string`, or its parts (the seed's keys). */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database` (the parts below override its own). */
  connection_string?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** TLS: `true`/`"require"`, `"prefer"`, `"verify-full"` (default none). */
  ssl?: boolean | "require" | "prefer" | "verify-full";
}

// The specifier in a variable: bundlers leave the import alone (the client is the user's peer
// dependency, loaded at run time from their node_modules).
const load = (specifier: string): Promise<{ default: unknown }> =>
  import(/* @vite-ignore */ specifier);

type Postgres = (urlOrOptions?: unknown, options?: Record<string, unknown>) => PostgresSqlLike;

/**
 * A Postgres.js client for `options`, imported now; `extra` goes to `postgres()` as is (e.g.
 * `{ max: 1 }` for a dedicated connection). Connections open on the first query. Server notices
 * (`relation … already exists, skipping`) are dropped. An `AdapterError` saying what to install
 * when `postgres` is missing.
 * @example
 * const sql = await createPostgresClient({ host: "127.0.0.1", database: "test", user: "postgres" });
 */
export async function createPostgresClient(
  options: PostgresConnectionOptions,
  extra: Record<string, unknown> = {},
): Promise<PostgresSqlLike> {
  let postgres: Postgres;
  try {
    postgres = (await load("postgres")).default as Postgres;
  } catch (error) {
    throw new AdapterError(
      "postgres",
      "the PostgreSQL client is not installed: npm install postgres",
      { cause: error },
    );
  }
  const { connection_string, user, ...parts } = options;
  const settings: Record<string, unknown> = { onnotice: () => {}, ...extra };
  for (const [key, value] of Object.entries({ ...parts, username: user }))
    if (value !== undefined) settings[key] = value;
  return connection_string === undefined
    ? postgres(settings)
    : postgres(connection_string, settings);
}

/**
 * Checks a client a caller gives a store (`sql`): a `ValidationError` naming `owner` when it is
 * not what `postgres()` returns; nothing when none is given.
 * @example
 * checkGivenClient("PostgresRecordStore", options.sql);
 */
export function checkGivenClient(owner: string, sql: PostgresSqlLike | undefined): void {
  if (sql !== undefined && typeof sql.unsafe !== "function")
    throw new ValidationError(`${owner}: sql must be a postgres() client`, [
      { path: ["sql"], message: "expected the function postgres(…) returns" },
    ]);
}

/** The connection keys of `options` (a store's other options left out). */
export function connectionOf(options: PostgresConnectionOptions): PostgresConnectionOptions {
  const keys = [
    "connection_string",
    "host",
    "port",
    "database",
    "user",
    "password",
    "ssl",
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) out[key] = options[key];
  return out as PostgresConnectionOptions;
}

/** A store's client once set up: `owned` when the store made it (and ends it), not when given. */
export interface PostgresSession<T> {
  sql: PostgresSqlLike;
  owned: boolean;
  value: T;
}

/**
 * The client a store works with — `given` (left open), or one made from the connection keys of
 * `options` — with `setup` run on it. When setup fails, a client made here is ended and the error
 * goes on: a `ValidationError` or `AdapterError` as it is, anything else as an `AdapterError`
 * saying "cannot `what`".
 * @example
 * const { sql, owned } = await openPostgresSession(options.sql, options, "create the tables", ddl);
 */
export async function openPostgresSession<T>(
  given: PostgresSqlLike | undefined,
  options: PostgresConnectionOptions,
  what: string,
  setup: (sql: PostgresSqlLike) => Promise<T>,
): Promise<PostgresSession<T>> {
  const sql = given ?? (await createPostgresClient(connectionOf(options)));
  try {
    return { sql, owned: given === undefined, value: await setup(sql) };
  } catch (error) {
    if (given === undefined) await sql.end({ timeout: 1 }).catch(() => {});
    if (error instanceof ValidationError || error instanceof AdapterError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AdapterError("postgres", `cannot ${what}: ${message}`, { cause: error });
  }
}

/**
 * Statements with `?` placeholders on a client, numbered `$1…$n` (each text numbered once) and
 * prepared by the server; `batch` runs several in one transaction (`BEGIN` … `COMMIT`).
 * @example
 * const rows = await postgresConnection(sql).all("SELECT 1 AS one WHERE ? > 0", [1]);
 */
export function postgresConnection(sql: PostgresSqlLike): SqlConnection & SearchSqlConnection {
  const numbered = new Map<string, string>();
  const text = (query: string): string => {
    let found = numbered.get(query);
    if (found === undefined) {
      let n = 0;
      found = query.replace(/\?/g, () => `$${++n}`);
      if (numbered.size >= 256) numbered.delete(numbered.keys().next().value as string);
      numbered.set(query, found);
    }
    return found;
  };
  return {
    run: async (query, params) =>
      (await sql.unsafe(text(query), [...params], { prepare: true })).count,
    all: async <T>(query: string, params: readonly unknown[]) =>
      (await sql.unsafe(text(query), [...params], { prepare: true })) as unknown as T[],
    batch: async (statements: Iterable<SqlStatement>) => {
      if (typeof sql.begin !== "function")
        throw new AdapterError("postgres", "the client has no begin(): give a postgres() client");
      return (await sql.begin(async (tx) => {
        const out: unknown[][] = [];
        for (const s of statements)
          out.push([...(await tx.unsafe(text(s.sql), [...s.params], { prepare: true }))]);
        return out;
      })) as unknown[][];
    },
  };
}

/**
 * The connection's current schema (where unqualified tables go); an error when `search_path`
 * names none.
 * @example
 * const schema = await currentSchema(sql); // "public"
 */
export async function currentSchema(sql: PostgresSqlLike): Promise<string> {
  const [row] = (await sql.unsafe("SELECT current_schema() AS name")) as unknown as {
    name: string | null;
  }[];
  if (!row?.name) throw new Error("the connection has no current schema (search_path is empty)");
  return row.name;
}
