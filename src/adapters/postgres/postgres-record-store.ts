import type { RecordStore } from "../../core/registry/record-store.ts";
import { type SqlReady, SqlRecordStore } from "../../core/registry/sql-record-store.ts";
import {
  checkGivenClient,
  currentSchema,
  openPostgresSession,
  type PostgresConnectionOptions,
  postgresConnection,
} from "./postgres-client.ts";
import {
  migrationsTable,
  POSTGRES_MIGRATION,
  type PostgresTables,
  postgresSchema,
  postgresTables,
  qualified,
} from "./postgres-schema.ts";
import type { PostgresSqlLike } from "./types.ts";

/** Options of {@link PostgresRecordStore}: where the server is (or a client), and the table. */
export interface PostgresRecordStoreOptions extends PostgresConnectionOptions {
  /**
   * The records table, `name` or `schema.name` (`<name>_history`, `<name>_revision` and
   * `<name>_migrations` beside it): letters, digits and `_`, at most 48 characters each; any
   * other name is a `ValidationError`, never SQL. Default: `botknobs_records` (D1's names) in
   * the connection's schema.
   */
  table?: string;
  /** A client of yours (`postgres(…)`) instead of the connection keys; the store never ends it. */
  sql?: PostgresSqlLike;
}

/**
 * Records in PostgreSQL: a current row per bot, every kept version, a revision row, kept in step
 * by triggers inside each write's statement. The compare-and-set is the server's: of two writers
 * replacing the same version, the second waits for the first's row lock, finds the version
 * changed and writes nothing (`put` → false; the registry's `update` with `ifVersion` →
 * `ConflictError`). Failures are `AdapterError`s naming `postgres` and the statement.
 * @example
 * const store = new PostgresRecordStore({ host: "127.0.0.1", database: "app", user: "app", table: "bot_configs" });
 * const backend = new StoreRegistryBackend({ store });
 * await backend.initialize();
 */
export class PostgresRecordStore extends SqlRecordStore implements RecordStore {
  readonly #options: PostgresRecordStoreOptions;
  readonly #tables: PostgresTables;
  #client: PostgresSqlLike | null = null;

  constructor(options: PostgresRecordStoreOptions = {}) {
    super({ name: "postgres" });
    checkGivenClient("PostgresRecordStore", options.sql);
    this.#options = { ...options };
    this.#tables = postgresTables(options.table);
  }

  /** The table names this store uses (and its schema, when given). */
  get tables(): PostgresTables {
    return this.#tables;
  }

  protected async connect(): Promise<SqlReady> {
    const { sql, owned, value } = await openPostgresSession(
      this.#options.sql,
      this.#options,
      "create the registry tables",
      async (sql) => {
        const schema = this.#tables.schema ?? (await currentSchema(sql));
        const { names } = this.#tables;
        if (!(await migrated(sql, migrationsTable(schema, names))))
          await sql.unsafe(postgresSchema(schema, names, this.#tables.schema !== null));
        return qualified(schema, names);
      },
    );
    this.#client = owned ? sql : null;
    return { connection: postgresConnection(sql), tables: value };
  }

  protected async disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end({ timeout: 5 });
  }

  override toString(): string {
    const { schema, names } = this.#tables;
    return `PostgresRecordStore(${schema === null ? "" : `${schema}.`}${names.records})`;
  }
}

/** Whether the tables were created already (their migrations table holds the migration). */
async function migrated(sql: PostgresSqlLike, table: string): Promise<boolean> {
  const [present] = (await sql.unsafe("SELECT to_regclass($1) IS NOT NULL AS yes", [
    table,
  ])) as unknown as { yes: boolean }[];
  if (!present?.yes) return false;
  const rows = await sql.unsafe(`SELECT 1 FROM ${table} WHERE name = $1`, [POSTGRES_MIGRATION]);
  return rows.length > 0;
}
