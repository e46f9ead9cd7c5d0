/**
 * The statements of `SqlSearchIndex`, once for SQLite and D1 (the same text on both) and once
 * for PostgreSQL: they differ where the engines do — JSON functions, the full-text match and its
 * rank, the check of an exclusive commit — and nowhere else. Lists of rows travel as one JSON
 * parameter each (`json_each` / `jsonb_array_elements`), so a commit is a dozen statements
 * whatever its size and never meets D1's limit of 100 bound parameters. `?` placeholders
 * throughout (the PostgreSQL connection numbers them).
 * @module
 */

import type { MetadataFilter } from "./filter.ts";
import { filterSql, type SqlFlavour, type SqlFragment } from "./sql-search-filter.ts";
import { type SearchTableNames, STALE_INDEX } from "./sql-search-tables.ts";

export { STALE_INDEX };

/** One statement of a commit: `rows` when its result rows are wanted (a `SELECT`, `RETURNING`). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  rows?: boolean;
}

/** How an engine-backed index runs its statements. */
export interface SearchSqlConnection {
  /** Runs a statement that returns rows. */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * Runs statements in one transaction, all or none; the rows of each (empty for no rows). The
   * statements are taken one at a time as they run (a commit's are made as they are asked for),
   * except where the engine needs them at once (D1's `batch()`).
   */
  batch(statements: Iterable<SqlStatement>): Promise<unknown[][]>;
}

/** An index's open connection and the statements of its tables. */
export interface SearchSqlReady {
  connection: SearchSqlConnection;
  statements: SearchStatements;
}

/** A scope's key as statements bind it. */
export interface ScopeKey {
  domainId: string;
  generation: string;
}

/** The columns a hit is read from (alias `c`). */
export const CHUNK_COLUMNS =
  "c.id, c.scope_id, c.path, c.chunk_index, c.chunk_id, c.heading_path, c.headings, c.line_number, c.metadata, c.text";

/** How the engine's own rank weighs a heading against the text. */
const HEADING_WEIGHT = 2;

/** The statements of one index's tables in one dialect. */
export class SearchStatements {
  readonly flavour: SqlFlavour;
  readonly t: SearchTableNames;
  /** The scope id of `(domain_id, generation)`, two parameters. */
  readonly #scope: string;

  constructor(flavour: SqlFlavour, tables: SearchTableNames) {
    this.flavour = flavour;
    this.t = tables;
    this.#scope = `(SELECT id FROM ${tables.scopes} WHERE domain_id = ? AND generation = ?)`;
  }

  /** The values of a JSON array parameter, one row each (column `value`). */
  #list(): string {
    return this.flavour === "sqlite"
      ? "SELECT value FROM json_each(?)"
      : "SELECT jsonb_array_elements_text(?::text::jsonb) AS value";
  }

  /** Rows of a JSON array-of-arrays parameter, aliased `r`. */
  #rows(): string {
    return this.flavour === "sqlite"
      ? "json_each(?) AS r"
      : "jsonb_array_elements(?::text::jsonb) AS r";
  }

  /** Element `i` of row `r`: text, a number, or JSON (an object kept as JSON). */
  #at(i: number, as: "text" | "int" | "json"): string {
    if (this.flavour === "sqlite") return `json_extract(r.value, '$[${i}]')`;
    if (as === "json") return `(r.value -> ${i})`;
    return as === "int" ? `(r.value ->> ${i})::bigint` : `(r.value ->> ${i})`;
  }

  /** A JSON object column's keys, one row each (column `key`), aliased `j`. */
  #keys(column: string): string {
    return this.flavour === "sqlite" ? `json_each(${column}) AS j` : `jsonb_each(${column}) AS j`;
  }

  /** Rows of the scope's chunks (or sources) of the paths given as JSON, or of all of them. */
  #paths(column: string, paths: string[] | null): SqlFragment {
    return paths === null
      ? { sql: "", params: [] }
      : { sql: ` AND ${column} IN (${this.#list()})`, params: [JSON.stringify(paths)] };
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────

  scope(key: ScopeKey): SqlStatement {
    return {
      sql: `SELECT id, version, embedding, chunks, files, len_h, len_t FROM ${this.t.scopes} WHERE domain_id = ? AND generation = ?`,
      params: [key.domainId, key.generation],
    };
  }

  scopes(): SqlStatement {
    return {
      sql: `SELECT id, domain_id, generation, version, embedding, chunks, files, len_h, len_t FROM ${this.t.scopes} ORDER BY domain_id, generation`,
      params: [],
    };
  }

  sources(scopeId: number): SqlStatement {
    return {
      sql: `SELECT path, checksum, fingerprint, chunks FROM ${this.t.sources} WHERE scope_id = ? ORDER BY path`,
      params: [scopeId],
    };
  }

  /**
   * The engine's best `limit` chunks of the scopes for `match` (an `engineQuery`), with
   * `filter`; one per file when `perSource`. Columns: id, scope_id, path, score (higher is
   * better: FTS5's bm25() negated, or ts_rank_cd).
   */
  lexical(
    scopeIds: number[],
    match: string,
    filter: MetadataFilter | undefined,
    limit: number,
    perSource: boolean,
    inner: number | null = null,
  ): SqlStatement {
    const where = filterSql(filter, "c", this.flavour);
    const scopes = `c.scope_id IN (${this.flavour === "sqlite" ? this.#list() : `SELECT value::bigint FROM (${this.#list()}) AS s`})`;
    // SQLite with `inner`: FTS5 ranks its own best `inner` rows first (no join per match),
    // then their chunks are checked for scope and filter; the caller asks again deeper when
    // fewer than `limit` pass.
    const fts = this.t.fts;
    const [from, rank, matches] =
      this.flavour === "sqlite"
        ? inner === null
          ? [
              `${fts} JOIN ${this.t.chunks} AS c ON c.id = ${fts}.rowid`,
              `(-${fts}.rank)`,
              `${fts} MATCH ?`,
            ]
          : [
              `(SELECT rowid, rank FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rank LIMIT ${Math.trunc(inner)}) AS m JOIN ${this.t.chunks} AS c ON c.id = m.rowid`,
              "(-m.rank)",
              "1 = 1",
            ]
        : [
            `${this.t.chunks} AS c, to_tsquery('english', ?) AS q`,
            `ts_rank_cd('{0.1, 0.2, ${(1 / HEADING_WEIGHT).toFixed(2)}, 1.0}', c.tsv, q, 1)`,
            "c.tsv @@ q",
          ];
    const matched = `SELECT c.id, c.scope_id, c.path, ${rank} AS score FROM ${from} WHERE ${matches} AND ${scopes} AND ${where.sql}`;
    // PostgreSQL's match is in FROM: its parameter comes first there too.
    const params = [match, JSON.stringify(scopeIds), ...where.params, limit];
    // One per file: the best of each, ranked in a materialized step (FTS5's bm25() is not
    // allowed inside a window function).
    const sql = perSource
      ? `WITH matched AS MATERIALIZED (${matched}) SELECT id, scope_id, path, score FROM (` +
        "SELECT id, scope_id, path, score, row_number() OVER (PARTITION BY scope_id, path ORDER BY score DESC, id) AS nth FROM matched" +
        ") AS ranked WHERE nth = 1 ORDER BY score DESC, id LIMIT ?"
      : `${matched} ORDER BY score DESC, c.id LIMIT ?`;
    return { sql, params };
  }

  /** The chunks of these ids (the hits to return). */
  chunks(ids: number[]): SqlStatement {
    return {
      sql: `SELECT ${CHUNK_COLUMNS} FROM ${this.t.chunks} AS c WHERE c.id IN (${this.#idList()})`,
      params: [JSON.stringify(ids)],
    };
  }

  #idList(): string {
    return this.flavour === "sqlite"
      ? this.#list()
      : `SELECT value::bigint FROM (${this.#list()}) AS s`;
  }

  /** The chunks of one scope holding these vector ids and passing `filter`: id, path, vector_id. */
  vectorChunks(
    scopeId: number,
    vectorIds: string[],
    filter: MetadataFilter | undefined,
  ): SqlStatement {
    const where = filterSql(filter, "c", this.flavour);
    return {
      sql: `SELECT c.id, c.path, c.vector_id FROM ${this.t.chunks} AS c WHERE c.scope_id = ? AND c.vector_id IN (${this.#list()}) AND ${where.sql}`,
      params: [scopeId, JSON.stringify(vectorIds), ...where.params],
    };
  }

  /** The field lengths of these chunks and of their files (with scope_id and path). */
  candidateLengths(ids: number[]): SqlStatement {
    return {
      sql:
        `SELECT c.id, c.scope_id, c.path, c.len_h, c.len_t, s.len_h AS file_len_h, s.len_t AS file_len_t FROM ${this.t.chunks} AS c ` +
        `JOIN ${this.t.sources} AS s ON s.scope_id = c.scope_id AND s.path = c.path WHERE c.id IN (${this.#idList()})`,
      params: [JSON.stringify(ids)],
    };
  }

  /**
   * The counts of `terms` in these chunks (`file` 0, `key` the chunk's id) and in their files,
   * each file once (`file` 1, `key` the scope id and path): file, key, term, counts
   * (`[heading, text]`), read out of the JSON in the database.
   */
  candidateTerms(ids: number[], terms: string[]): SqlStatement {
    const ofIds = JSON.stringify(ids);
    const ofTerms = JSON.stringify(terms);
    const key =
      this.flavour === "sqlite"
        ? "s.scope_id || '/' || s.path"
        : "s.scope_id::text || '/' || s.path";
    const chunks =
      `SELECT 0 AS file, ${this.flavour === "sqlite" ? "c.id" : "c.id::text"} AS key, j.key AS term, j.value AS counts ` +
      `FROM ${this.t.chunks} AS c, ${this.#keys("c.terms")} WHERE c.id IN (${this.#idList()}) AND j.key IN (${this.#list()})`;
    const files =
      `SELECT 1 AS file, ${key} AS key, j.key AS term, j.value AS counts FROM ${this.t.sources} AS s, ${this.#keys("s.terms")} ` +
      `WHERE (s.scope_id, s.path) IN (SELECT DISTINCT c.scope_id, c.path FROM ${this.t.chunks} AS c WHERE c.id IN (${this.#idList()})) ` +
      `AND j.key IN (${this.#list()})`;
    return { sql: `${chunks} UNION ALL ${files}`, params: [ofIds, ofTerms, ofIds, ofTerms] };
  }

  /** The chunk and file frequencies of `terms` in a scope: term, df, gdf. */
  termStats(scopeId: number, terms: string[]): SqlStatement {
    return {
      sql: `SELECT term, df, gdf FROM ${this.t.terms} WHERE scope_id = ? AND term IN (${this.#list()})`,
      params: [scopeId, JSON.stringify(terms)],
    };
  }

  // ── a commit, in order ──────────────────────────────────────────────────────────────────

  /**
   * What a commit begins with: on PostgreSQL the scope's lock (its commits run one at a time);
   * with `expected` (an exclusive commit) a check that fails with {@link STALE_INDEX} when the
   * scope's version is not `expected` any more — SQLite's a row that breaks a CHECK, PostgreSQL's
   * a function that raises — so the whole commit rolls back, D1's batch included.
   */
  begin(key: ScopeKey, expected: string | null): SqlStatement[] {
    const out: SqlStatement[] = [];
    const { domainId, generation } = key;
    if (this.flavour === "postgres")
      out.push({
        sql: "SELECT pg_advisory_xact_lock(hashtext(?)) AS locked",
        params: [`${this.t.scopes}\u001f${domainId}\u001f${generation}`],
      });
    if (expected === null) return out;
    out.push(
      this.flavour === "sqlite"
        ? {
            sql: `INSERT OR REPLACE INTO ${this.t.guard} (id, ok) VALUES (1, coalesce((SELECT version FROM ${this.t.scopes} WHERE domain_id = ? AND generation = ?), '') = ?)`,
            params: [domainId, generation, expected],
          }
        : {
            sql: `SELECT ${this.t.guard}(?, ?, ?) AS ok`,
            params: [domainId, generation, expected],
          },
    );
    return out;
  }

  /** Creates the scope's row when missing (version `""`: nothing committed). */
  ensureScope(key: ScopeKey): SqlStatement {
    return {
      sql: `INSERT INTO ${this.t.scopes} (domain_id, generation, version) VALUES (?, ?, '') ON CONFLICT (domain_id, generation) DO NOTHING`,
      params: [key.domainId, key.generation],
    };
  }

  /** How many chunks the commit replaces or removes (`n`), before it does. */
  countChunks(key: ScopeKey, paths: string[] | null): SqlStatement {
    const p = this.#paths("path", paths);
    return {
      sql: `SELECT count(*) AS n FROM ${this.t.chunks} WHERE scope_id = ${this.#scope}${p.sql}`,
      params: [key.domainId, key.generation, ...p.params],
      rows: true,
    };
  }

  /** The vector ids of the chunks the commit replaces or removes (to delete after it). */
  vectorIds(key: ScopeKey, paths: string[] | null): SqlStatement {
    const p = this.#paths("path", paths);
    return {
      sql: `SELECT vector_id FROM ${this.t.chunks} WHERE scope_id = ${this.#scope}${p.sql} AND vector_id IS NOT NULL`,
      params: [key.domainId, key.generation, ...p.params],
      rows: true,
    };
  }

  /** Takes the frequencies of the replaced or removed files' terms off the scope's. */
  dropTerms(key: ScopeKey, paths: string[] | null): SqlStatement[] {
    const p = this.#paths("c.path", paths);
    const t = this.t.terms;
    return [
      {
        sql:
          `UPDATE ${t} SET df = ${t}.df - d.df, gdf = ${t}.gdf - d.gdf FROM (` +
          `SELECT j.key AS term, count(*) AS df, count(DISTINCT c.path) AS gdf FROM ${this.t.chunks} AS c, ${this.#keys("c.terms")} ` +
          `WHERE c.scope_id = ${this.#scope}${p.sql} GROUP BY j.key) AS d ` +
          `WHERE ${t}.scope_id = ${this.#scope} AND ${t}.term = d.term`,
        params: [key.domainId, key.generation, ...p.params, key.domainId, key.generation],
      },
      {
        sql: `DELETE FROM ${t} WHERE scope_id = ${this.#scope} AND df <= 0`,
        params: [key.domainId, key.generation],
      },
    ];
  }

  /** Takes the replaced or removed files' counts and lengths off the scope's row. */
  dropTotals(key: ScopeKey, paths: string[] | null): SqlStatement {
    const c = this.#paths("path", paths);
    const of = (what: string, table: string): string =>
      `(SELECT ${what} FROM ${table} WHERE scope_id = ${this.t.scopes}.id${c.sql})`;
    return {
      sql:
        `UPDATE ${this.t.scopes} SET chunks = chunks - ${of("count(*)", this.t.chunks)}, ` +
        `len_h = len_h - ${of("coalesce(sum(len_h), 0)", this.t.chunks)}, ` +
        `len_t = len_t - ${of("coalesce(sum(len_t), 0)", this.t.chunks)}, ` +
        `files = files - ${of("count(*)", this.t.sources)} WHERE domain_id = ? AND generation = ?`,
      params: [...c.params, ...c.params, ...c.params, ...c.params, key.domainId, key.generation],
    };
  }

  /** Deletes the replaced or removed files' chunks and rows. */
  deleteFiles(key: ScopeKey, paths: string[] | null): SqlStatement[] {
    const p = this.#paths("path", paths);
    return [this.t.chunks, this.t.sources].map((table) => ({
      sql: `DELETE FROM ${table} WHERE scope_id = ${this.#scope}${p.sql}`,
      params: [key.domainId, key.generation, ...p.params],
    }));
  }

  /** Inserts files: rows `[path, checksum, fingerprint, chunks, terms, len_h, len_t]`. */
  insertSources(key: ScopeKey, rowsJson: string): SqlStatement {
    const a = (i: number, as: "text" | "int" | "json" = "text") => this.#at(i, as);
    return {
      sql:
        `INSERT INTO ${this.t.sources} (scope_id, path, checksum, fingerprint, chunks, terms, len_h, len_t) ` +
        `SELECT ${this.#scope}, ${a(0)}, ${a(1)}, ${a(2)}, ${a(3, "int")}, ${a(4, "json")}, ${a(5, "int")}, ${a(6, "int")} FROM ${this.#rows()}`,
      params: [key.domainId, key.generation, rowsJson],
    };
  }

  /**
   * Inserts chunks: rows `[path, chunk_index, chunk_id, heading_path, headings, line_number,
   * metadata, text, vector_id, terms, len_h, len_t]` (the full-text index follows).
   */
  insertChunks(key: ScopeKey, rowsJson: string): SqlStatement {
    const a = (i: number, as: "text" | "int" | "json" = "text") => this.#at(i, as);
    // headings stay JSON text on both engines; metadata and terms are JSON (jsonb on PostgreSQL).
    const headings = this.flavour === "sqlite" ? a(4) : `(${a(4, "json")})::text`;
    return {
      sql:
        `INSERT INTO ${this.t.chunks} (scope_id, path, chunk_index, chunk_id, heading_path, headings, line_number, metadata, text, vector_id, terms, len_h, len_t) ` +
        `SELECT ${this.#scope}, ${a(0)}, ${a(1, "int")}, ${a(2)}, ${a(3)}, ${headings}, ${a(5, "int")}, ${a(6, "json")}, ${a(7)}, ${a(8)}, ${a(9, "json")}, ${a(10, "int")}, ${a(11, "int")} FROM ${this.#rows()}`,
      params: [key.domainId, key.generation, rowsJson],
    };
  }

  /** Adds frequencies: rows `[term, df, gdf]`. */
  addTerms(key: ScopeKey, rowsJson: string): SqlStatement {
    const t = this.t.terms;
    const a = (i: number, as: "text" | "int") => this.#at(i, as);
    return {
      sql:
        `INSERT INTO ${t} (scope_id, term, df, gdf) SELECT ${this.#scope}, ${a(0, "text")}, ${a(1, "int")}, ${a(2, "int")} FROM ${this.#rows()} WHERE true ` +
        `ON CONFLICT (scope_id, term) DO UPDATE SET df = ${t}.df + excluded.df, gdf = ${t}.gdf + excluded.gdf`,
      params: [key.domainId, key.generation, rowsJson],
    };
  }

  /**
   * Adds the new files' counts and lengths to the scope's row and makes `version` its version;
   * `embedding` replaces the scope's when not null (always when `fresh`).
   */
  finish(
    key: ScopeKey,
    added: { chunks: number; files: number; lenH: number; lenT: number },
    version: string,
    embedding: string | null,
    fresh: boolean,
  ): SqlStatement {
    return {
      sql:
        `UPDATE ${this.t.scopes} SET chunks = chunks + ?, files = files + ?, len_h = len_h + ?, len_t = len_t + ?, ` +
        `version = ?, embedding = ${fresh ? "?" : "coalesce(?, embedding)"} WHERE domain_id = ? AND generation = ?`,
      params: [
        added.chunks,
        added.files,
        added.lenH,
        added.lenT,
        version,
        embedding,
        key.domainId,
        key.generation,
      ],
    };
  }

  /** Removes a scope: its rows everywhere; the last returns the scope's row when it existed. */
  removeScope(key: ScopeKey): SqlStatement[] {
    const of = (table: string): SqlStatement => ({
      sql: `DELETE FROM ${table} WHERE scope_id = ${this.#scope}`,
      params: [key.domainId, key.generation],
    });
    return [
      of(this.t.terms),
      of(this.t.chunks),
      of(this.t.sources),
      {
        sql: `DELETE FROM ${this.t.scopes} WHERE domain_id = ? AND generation = ? RETURNING id`,
        params: [key.domainId, key.generation],
        rows: true,
      },
    ];
  }
}
