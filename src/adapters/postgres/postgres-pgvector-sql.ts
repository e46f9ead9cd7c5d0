/**
 * The SQL of {@link PgvectorVectorStore} (postgres-pgvector-store.ts): its table's names, the
 * statements that create it, the `vector` extension's check (an error saying how to install
 * pgvector when the server has none), and the port's metadata filter as SQL over `jsonb`.
 * Names are checked (letters, digits, `_`) and quoted; values are always parameters.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import {
  acceptedValues,
  type MetadataFilter,
  validateFilter,
} from "../../core/knowledge/index/filter.ts";
import { checkTableName, quoteName } from "../../core/registry/sql-tables.ts";
import { splitTableName } from "./postgres-schema.ts";
import type { PostgresSqlLike } from "./types.ts";

/** The default table of a `PgvectorVectorStore`. */
export const DEFAULT_VECTOR_TABLE = "botknobs_vectors";

/**
 * pgvector indexes at most this many dimensions of a `vector` column (HNSW and IVFFlat alike);
 * a wider store is scanned exactly, without an index.
 */
export const PGVECTOR_INDEX_MAX_DIMENSIONS = 2000;

/** The `vector` type's own limit on dimensions. */
export const PGVECTOR_MAX_DIMENSIONS = 16_000;

/** A vector store's table: its schema (`null`: the connection's), name, and SQL names. */
export interface PgvectorTable {
  schema: string | null;
  name: string;
}

/**
 * The table of `table` (`name` or `schema.name`, each part checked: letters, digits and `_`, at
 * most 48 characters); a `ValidationError` naming `table` for anything else.
 * @example
 * pgvectorTable("app.kb_vectors"); // { schema: "app", name: "kb_vectors" }
 */
export function pgvectorTable(table: string = DEFAULT_VECTOR_TABLE): PgvectorTable {
  const { schema, name } = splitTableName(table);
  return { schema, name: checkTableName(name) };
}

/** `"schema"."name"`, quoted. */
export function qualifiedTable(schema: string, name: string): string {
  return `${quoteName(schema)}.${quoteName(name)}`;
}

/**
 * The statements that create the table (id, `vector(dimensions)`, `jsonb` metadata) and its
 * HNSW index (`vector_cosine_ops`; none above {@link PGVECTOR_INDEX_MAX_DIMENSIONS}), idempotent,
 * under an advisory lock so two processes starting at once do not race; one string, so the
 * server runs it as one transaction.
 * @example
 * await sql.unsafe(pgvectorSchema("public", "kb_vectors", 384, false));
 */
export function pgvectorSchema(
  schema: string,
  name: string,
  dimensions: number,
  createSchema: boolean,
): string {
  const t = qualifiedTable(schema, name);
  const index =
    dimensions <= PGVECTOR_INDEX_MAX_DIMENSIONS
      ? `CREATE INDEX IF NOT EXISTS ${quoteName(`${name}_hnsw`)} ON ${t} USING hnsw (embedding vector_cosine_ops);`
      : "";
  // Names are checked to letters, digits and _: the lock key is a plain literal.
  return `SELECT pg_advisory_xact_lock(hashtext('botknobs-vectors:${schema}.${name}'));
${createSchema ? `CREATE SCHEMA IF NOT EXISTS ${quoteName(schema)};` : ""}
CREATE TABLE IF NOT EXISTS ${t} (
  id TEXT COLLATE "C" PRIMARY KEY,
  embedding vector(${dimensions}) NOT NULL,
  metadata JSONB
);
${index}
`;
}

/**
 * The dimensions of the `embedding` column of `schema.name`, `null` when the table does not
 * exist (a `vector(n)` column's type modifier is `n`).
 */
export async function tableDimensions(
  sql: PostgresSqlLike,
  schema: string,
  name: string,
): Promise<number | null> {
  const rows = (await sql.unsafe(
    `SELECT a.atttypmod AS dims FROM pg_attribute a
     WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding' AND NOT a.attisdropped`,
    [qualifiedTable(schema, name)],
  )) as unknown as { dims: number }[];
  const dims = rows[0]?.dims;
  return dims === undefined ? null : Number(dims);
}

const INSTALL =
  "add it to that server (Debian/Ubuntu: apt-get install postgresql-<major>-pgvector from apt.postgresql.org; macOS: brew install pgvector; or build it from github.com/pgvector/pgvector), then run CREATE EXTENSION vector";

/**
 * The installed pgvector's version, creating the extension when the server has it and it is not
 * created yet. An `AdapterError` starting "install pgvector: …" when the server has no `vector`
 * extension, or saying who may create it when the role may not.
 */
export async function ensurePgvector(sql: PostgresSqlLike): Promise<string> {
  const installed = async (): Promise<string | null> => {
    const rows = (await sql.unsafe(
      "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
    )) as unknown as { extversion: string }[];
    return rows[0]?.extversion ?? null;
  };
  const found = await installed();
  if (found !== null) return found;
  const available = await sql.unsafe("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
  if (available.length === 0) {
    const [v] = (await sql.unsafe("SHOW server_version")) as unknown as {
      server_version: string;
    }[];
    throw new AdapterError(
      "postgres",
      `install pgvector: the server (PostgreSQL ${v?.server_version ?? "?"}) has no vector extension: ${INSTALL}`,
    );
  }
  try {
    await sql.unsafe("CREATE EXTENSION IF NOT EXISTS vector");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AdapterError(
      "postgres",
      `install pgvector: CREATE EXTENSION vector failed (${message}); run it once as a superuser or the database's owner`,
      { cause: error },
    );
  }
  return (await installed()) ?? "?";
}

/** A piece of SQL with its parameters (`$n` numbered from the given start). */
export interface PgFragment {
  sql: string;
  params: unknown[];
}

/**
 * The SQL condition of `filter` over the `metadata` column, its parameters numbered from `$from`
 * (`"TRUE"` for none). `jsonb` compares type for type as `matchesFilter` does (`"1"` is not `1`);
 * a record without the field, or without metadata, matches nothing; `null` matches a null field.
 * @example
 * filterCondition({ lang: { $in: ["en", "de"] } }, 3); // metadata -> $3::text IN (SELECT jsonb_array_elements($4::text::jsonb))
 */
export function filterCondition(filter: MetadataFilter | undefined, from: number): PgFragment {
  if (filter === undefined) return { sql: "TRUE", params: [] };
  const valid = validateFilter(filter);
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, cond] of Object.entries(valid)) {
    const values = acceptedValues(cond);
    if (values.length === 0) return { sql: "FALSE", params: [] };
    const n = from + params.length;
    parts.push(
      `(metadata -> $${n}::text) IN (SELECT jsonb_array_elements($${n + 1}::text::jsonb))`,
    );
    params.push(field, JSON.stringify(values));
  }
  return { sql: parts.length === 0 ? "TRUE" : parts.join(" AND "), params };
}
