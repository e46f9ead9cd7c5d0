/**
 * {@link PgvectorVectorStore}: the `VectorStore` port in PostgreSQL with the pgvector extension,
 * through the `postgres` client (imported on `initialize()`), as `PostgresSearchIndex` and
 * `PostgresRecordStore` use it: the connection keys or a client of yours.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type {
  VectorHit,
  VectorQueryOptions,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from "../../core/knowledge/index/vector-store.ts";
import { Once } from "../../core/util/once.ts";
import {
  checkGivenClient,
  currentSchema,
  openPostgresSession,
  type PostgresConnectionOptions,
} from "./postgres-client.ts";
import {
  ensurePgvector,
  filterCondition,
  PGVECTOR_INDEX_MAX_DIMENSIONS,
  PGVECTOR_MAX_DIMENSIONS,
  type PgvectorTable,
  pgvectorSchema,
  pgvectorTable,
  qualifiedTable,
  tableDimensions,
} from "./postgres-pgvector-sql.ts";
import type { PostgresSqlLike } from "./types.ts";

/** Options of {@link PgvectorVectorStore}: where the server is (or a client), the table, the length. */
export interface PgvectorVectorStoreOptions extends PostgresConnectionOptions {
  /**
   * The table, `name` or `schema.name` (its HNSW index `<name>_hnsw` beside it): letters,
   * digits and `_`, at most 48 characters each; any other name is a `ValidationError`, never
   * SQL. Default `botknobs_vectors` in the connection's schema.
   */
  table?: string;
  /** A client of yours (`postgres(…)`) instead of the connection keys; the store never ends it. */
  sql?: PostgresSqlLike;
  /**
   * The vectors' length: the `vector(n)` column is created with it on `initialize()`. Default:
   * the existing table's, else the first upsert's. A table of another length is a `ValidationError`.
   */
  dimensions?: number;
  /** Records per `INSERT` (default 500); one `upsert` call is one transaction however many. */
  batchSize?: number;
}

/** pgvector's `hnsw.ef_search` bounds: its default, and the most it takes. */
const EF_SEARCH_DEFAULT = 40;
const EF_SEARCH_MAX = 1000;

/** A vector as pgvector's text input (`[1,2,3]`); a non-finite value is a `ValidationError`. */
function vectorText(vector: Float32Array, id: string): string {
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i] as number;
    if (!Number.isFinite(x))
      throw new ValidationError(
        `Vector for '${id}' holds ${x} at ${i}: pgvector takes finite numbers only`,
      );
    text += i === 0 ? `${x}` : `,${x}`;
  }
  return `${text}]`;
}

function checkDimensions(d: unknown, what: string): number {
  if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > PGVECTOR_MAX_DIMENSIONS)
    throw new ValidationError(
      `Invalid ${what} ${String(d)}: pgvector's vector takes 1–${PGVECTOR_MAX_DIMENSIONS} dimensions`,
      [{ path: ["dimensions"], message: "out of range" }],
    );
  return d as number;
}

/** pgvector release `version` is at least `major.minor`. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * Vectors in a PostgreSQL table with pgvector: `id`, `embedding vector(n)` under an HNSW index
 * (`vector_cosine_ops`), `metadata jsonb`. `query` orders by cosine distance (`<=>`), the score
 * being `1 − distance`; it reads the HNSW index, so results are approximate as HNSW's are:
 * `hnsw.ef_search` is raised to `k` (up to 1,000), a larger `k` scans exactly, and a filtered
 * query scans the index iteratively (`hnsw.iterative_scan`, pgvector ≥ 0.8; exactly before)
 * so filtered-out rows do not starve it. Filters (equality, `$in`) are SQL over `jsonb`, typed
 * as JavaScript compares. Upserts go in batches of `INSERT … ON CONFLICT`, one transaction per
 * call. A server without the `vector` extension fails `initialize()` with "install pgvector: …".
 * @example
 * const vectors = new PgvectorVectorStore({ host: "127.0.0.1", database: "app", table: "kb_vectors", dimensions: 384 });
 * const index = new PostgresSearchIndex({ host: "127.0.0.1", database: "app", table: "kb", vectors });
 */
export class PgvectorVectorStore implements VectorStore {
  readonly name: string = "pgvector";
  readonly capabilities: VectorStoreCapabilities = { filters: ["eq", "in"], persistent: true };
  readonly #options: PgvectorVectorStoreOptions;
  readonly #table: PgvectorTable;
  readonly #batch: number;
  readonly #open = new Once();
  #dimensions: number | null;
  /** The connection's client (ours or the caller's), the table's SQL name, pgvector's version. */
  #sql: PostgresSqlLike | null = null;
  #owned = false;
  #schema = "";
  #version = "0";

  constructor(options: PgvectorVectorStoreOptions = {}) {
    checkGivenClient("PgvectorVectorStore", options.sql);
    const batch = options.batchSize ?? 500;
    if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
      throw new ValidationError(`Invalid batchSize ${batch}: expected an integer 1–10000`);
    this.#options = { ...options };
    this.#table = pgvectorTable(options.table);
    this.#batch = batch;
    this.#dimensions =
      options.dimensions === undefined ? null : checkDimensions(options.dimensions, "dimensions");
  }

  /** The vectors' length; `null` until known (the option, the table, or the first upsert). */
  get dimensions(): number | null {
    return this.#dimensions;
  }

  /** The table's SQL name, `"schema"."name"` (known once initialized). */
  get table(): string {
    return qualifiedTable(this.#schema || (this.#table.schema ?? "?"), this.#table.name);
  }

  /**
   * Connects, checks the `vector` extension (creating it when the server has it), and creates
   * the table when its length is known; a second call does nothing more.
   */
  initialize(): Promise<void> {
    return this.#open.run(() => this.#connect());
  }

  async #connect(): Promise<void> {
    const { sql, owned } = await openPostgresSession(
      this.#options.sql,
      this.#options,
      `open the vector table ${this.table}`,
      async (sql) => {
        this.#version = await ensurePgvector(sql);
        this.#schema = this.#table.schema ?? (await currentSchema(sql));
        const found = await tableDimensions(sql, this.#schema, this.#table.name);
        if (found !== null) this.#agree(found);
        else if (this.#dimensions !== null) await this.#create(sql, this.#dimensions);
      },
    );
    this.#sql = sql;
    this.#owned = owned;
  }

  /** The table holds vectors of `found` dimensions: this store's must be the same. */
  #agree(found: number): void {
    if (this.#dimensions !== null && this.#dimensions !== found)
      throw new ValidationError(
        `The vector table ${this.table} holds vectors of ${found} dimensions, not ${this.#dimensions}: use another table, or drop this one`,
        [{ path: ["dimensions"], message: `the table has ${found}` }],
      );
    this.#dimensions = found;
  }

  /** Creates the table of `dimensions` (another process may have made it: its length wins). */
  async #create(sql: PostgresSqlLike, dimensions: number): Promise<void> {
    await sql.unsafe(
      pgvectorSchema(this.#schema, this.#table.name, dimensions, this.#table.schema !== null),
    );
    this.#agree((await tableDimensions(sql, this.#schema, this.#table.name)) ?? dimensions);
  }

  async #client(): Promise<PostgresSqlLike> {
    if (!this.#open.ready) await this.initialize();
    return this.#sql as PostgresSqlLike;
  }

  /** The length, asking the server once more while unknown (another store may have made the table). */
  async #known(sql: PostgresSqlLike): Promise<number | null> {
    if (this.#dimensions !== null) return this.#dimensions;
    const found = await tableDimensions(sql, this.#schema, this.#table.name);
    if (found !== null) this.#agree(found);
    return found;
  }

  /** Ends the client when the store made it (a given one is left open); the vectors stay. */
  async close(): Promise<void> {
    const sql = this.#sql;
    const owned = this.#owned;
    this.#sql = null;
    this.#open.reset();
    if (sql !== null && owned) await sql.end({ timeout: 5 });
  }

  #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    return work().catch((error: unknown) => {
      if (error instanceof ValidationError || error instanceof AdapterError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("postgres", `${what} on ${this.table} failed: ${message}`, {
        cause: error,
      });
    });
  }

  /**
   * Adds or replaces records by id (the last of one id in a call wins), every vector checked
   * before anything is written; the first upsert of a store of unknown length creates the table.
   */
  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const sql = await this.#client();
    const d =
      (await this.#known(sql)) ?? checkDimensions(records[0]?.vector.length, "vector length");
    const rows = new Map<string, [string, string | null]>();
    for (const { id, vector, metadata } of records) {
      if (typeof id !== "string" || id === "")
        throw new ValidationError("Invalid vector id: expected a non-empty string", [
          { path: ["id"], message: "empty or not a string" },
        ]);
      if (vector.length !== d)
        throw new ValidationError(
          `Vector for '${id}' has ${vector.length} dimensions, expected ${d}`,
        );
      rows.delete(id); // a later record of the same id is written last
      rows.set(id, [vectorText(vector, id), metadata ? JSON.stringify(metadata) : null]);
    }
    if (this.#dimensions === null) await this.#run("create", () => this.#create(sql, d));
    const text = `INSERT INTO ${this.table} (id, embedding, metadata)
SELECT * FROM unnest($1::text[], $2::text[]::vector[], $3::text[]::jsonb[])
ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata`;
    const all = [...rows];
    const write = async (tx: Pick<PostgresSqlLike, "unsafe">): Promise<void> => {
      for (let i = 0; i < all.length; i += this.#batch) {
        const part = all.slice(i, i + this.#batch);
        const params = [
          part.map(([id]) => id),
          part.map(([, r]) => r[0]),
          part.map(([, r]) => r[1]),
        ];
        await tx.unsafe(text, params, { prepare: true });
      }
    };
    await this.#run("upsert", async () => {
      if (all.length <= this.#batch || typeof sql.begin !== "function") await write(sql);
      else await sql.begin(write);
    });
  }

  /** Removes the records of `ids`; missing ids are ignored. */
  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const sql = await this.#client();
    if ((await this.#known(sql)) === null) return; // no table yet: nothing to delete
    await this.#run("delete", async () => {
      for (let i = 0; i < ids.length; i += this.#batch)
        await sql.unsafe(
          `DELETE FROM ${this.table} WHERE id = ANY($1::text[])`,
          [ids.slice(i, i + this.#batch)],
          { prepare: true },
        );
    });
  }

  /** The `k` records most similar by cosine to `vector` whose metadata passes the filter, best first. */
  async query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]> {
    const k = options.k;
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`Invalid k ${k}: expected a non-negative integer`);
    const where = filterCondition(options.filter, 3);
    const sql = await this.#client();
    const d = await this.#known(sql);
    if (d === null) return [];
    if (vector.length !== d)
      throw new ValidationError(`Query vector has ${vector.length} dimensions, expected ${d}`);
    if (k === 0 || where.sql === "FALSE") return [];
    // The vector is bound as text (a `vector` parameter would make the client look its type up).
    const text = `SELECT id, 1 - (embedding <=> $1::text::vector) AS score FROM ${this.table}
WHERE ${where.sql} ORDER BY embedding <=> $1::text::vector LIMIT $2::int`;
    const params = [vectorText(vector, "query"), k, ...where.params];
    const settings = this.#scan(k, where.params.length > 0, d);
    const rows = await this.#run("query", async () => {
      if (settings.length === 0 || typeof sql.begin !== "function")
        return sql.unsafe(text, params, { prepare: true });
      return (await sql.begin(async (tx) => {
        const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
        await tx.unsafe(`SELECT ${calls.join(", ")}`, settings.flat());
        return tx.unsafe(text, params, { prepare: true });
      })) as ArrayLike<unknown>;
    });
    return Array.from(rows as ArrayLike<{ id: string; score: number }>, (r) => ({
      id: r.id,
      score: Number(r.score),
    }));
  }

  /**
   * The settings of one query's transaction: `hnsw.ef_search` at least `k`; an exact scan past
   * its maximum (or a filter on pgvector < 0.8); an iterative scan for a filter. None for an
   * unfiltered `k` within the default.
   */
  #scan(k: number, filtered: boolean, d: number): [string, string][] {
    if (d > PGVECTOR_INDEX_MAX_DIMENSIONS) return []; // no index: every query is exact
    if (k > EF_SEARCH_MAX || (filtered && !atLeast(this.#version, 0, 8)))
      return [["enable_indexscan", "off"]];
    const ef: [string, string][] = k > EF_SEARCH_DEFAULT ? [["hnsw.ef_search", String(k)]] : [];
    return filtered ? [...ef, ["hnsw.iterative_scan", "strict_order"]] : ef;
  }

  /** How many records are stored. */
  async count(): Promise<number> {
    const sql = await this.#client();
    if ((await this.#known(sql)) === null) return 0;
    const [row] = (await this.#run("count", async () =>
      sql.unsafe(`SELECT count(*) AS n FROM ${this.table}`),
    )) as unknown as { n: string }[];
    return Number(row?.n ?? 0);
  }

  toString(): string {
    return `PgvectorVectorStore(${this.#table.schema === null ? "" : `${this.#table.schema}.`}${this.#table.name})`;
  }
}
