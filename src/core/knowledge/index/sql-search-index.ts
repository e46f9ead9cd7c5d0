/**
 * {@link SqlSearchIndex}: the {@link SearchIndex} port in a database, once for every engine —
 * SQLite FTS5 (`botknobs/sqlite`), the same tables on D1 (`botknobs/d1`) and PostgreSQL
 * full-text search (`botknobs/postgres`). Subclasses say how to connect and give the statements
 * of their dialect (`SearchStatements`); staging, commits, queries, filters and vectors are here.
 *
 * A commit is one transaction (SQLite's `BEGIN IMMEDIATE`, D1's batch, PostgreSQL's `BEGIN`):
 * a query sees the scope before or after it, never a mix, and a process killed in the middle
 * leaves the old state. Its statements are made as the transaction runs them, a bounded number
 * of rows each (`commitStatements`), so a commit adds no copy of the knowledge base to the
 * stage's memory (D1's batch, one call, is the exception: it is sent whole). Chunk vectors, when a `VectorStore` is given, are written there before
 * the commit and the replaced ones deleted after it (see sql-search-query.ts for the reading side).
 * @module
 */
import {
  AdapterError,
  BotknobsError,
  errorMessage,
  StaleIndexError,
  ValidationError,
} from "../../errors.ts";
import type { Bm25Options } from "./bm25/types.ts";
import { runQuery, type SearchRanking } from "./sql-search-query.ts";
import { SqlIndexStage } from "./sql-search-stage.ts";
import {
  type ScopeKey,
  type SearchSqlReady,
  type SqlStatement,
  STALE_INDEX,
} from "./sql-search-statements.ts";
import { BuiltinTerms, termDeltas } from "./sql-search-terms.ts";
import {
  type CommitPlan,
  commitStatements,
  type ScopeRow,
  writeVectors,
} from "./sql-search-writes.ts";
import type {
  IndexCommit,
  IndexedSource,
  IndexHit,
  IndexQuery,
  IndexScope,
  IndexStage,
  SearchIndex,
  SearchIndexCapabilities,
  StageOptions,
} from "./types.ts";
import type { VectorStore } from "./vector-store.ts";

/** Options of {@link SqlSearchIndex} (the subclasses' options extend these). */
export interface SqlSearchIndexOptions {
  /**
   * Where chunk vectors live (default none: lexical search only). A commit writes its files'
   * vectors there (metadata `_botknobs_scope` naming the knowledge base), and a query's vector
   * side asks it, then reads the chunks of its hits from the database with the query's filter.
   */
  vectors?: VectorStore;
  /**
   * How lexical hits are ranked. `"builtin"` (the default): the engine finds candidates (any of
   * the query's words) and the built-in BM25F scorer ranks them, with statistics the index keeps
   * per knowledge base — the built-in index's ranking. `"engine"`: the engine's own rank (FTS5's
   * `bm25()`, PostgreSQL's `ts_rank_cd`). bench/RESULTS.md compares them on SciFact.
   */
  ranking?: SearchRanking;
  /** How many candidates the engine gives the built-in scorer (default 200; at least 2 × k). */
  candidates?: number;
  /** The built-in scorer's and tokenizer's options (see `Bm25Options`). */
  bm25?: Bm25Options;
}

/** The scope rows a read sees (numbers: PostgreSQL hands `bigint`s over as text). */
function scopeRow(row: Record<string, unknown>): ScopeRow {
  return {
    id: Number(row.id),
    version: String(row.version),
    embedding: (row.embedding as string | null) ?? null,
    chunks: Number(row.chunks),
    files: Number(row.files),
    lenH: Number(row.len_h),
    lenT: Number(row.len_t),
  };
}

const key = (scope: IndexScope): ScopeKey => ({
  domainId: scope.domainId,
  generation: scope.generation,
});

export abstract class SqlSearchIndex implements SearchIndex {
  readonly name: string;
  readonly capabilities: SearchIndexCapabilities;
  readonly vectors: VectorStore | null;
  readonly ranking: SearchRanking;
  readonly #candidates: number;
  readonly #builtin: BuiltinTerms;
  #ready: Promise<SearchSqlReady> | null = null;

  constructor(name: string, options: SqlSearchIndexOptions, persistent: boolean) {
    this.name = name;
    this.vectors = options.vectors ?? null;
    const ranking = options.ranking ?? "builtin";
    if (ranking !== "builtin" && ranking !== "engine")
      throw new ValidationError(`Invalid ranking ${String(ranking)}: expected builtin or engine`);
    this.ranking = ranking;
    const candidates = options.candidates ?? 200;
    if (!Number.isInteger(candidates) || candidates < 1 || candidates > 10_000)
      throw new ValidationError(`Invalid candidates ${candidates}: expected an integer 1–10000`);
    this.#candidates = candidates;
    this.#builtin = new BuiltinTerms(options.bm25);
    this.capabilities = {
      lexical: true,
      vector: this.vectors !== null,
      filters: ["eq", "in"],
      persistent: persistent && (this.vectors?.capabilities.persistent ?? true),
    };
  }

  /** Opens the connection and creates the tables when missing. */
  protected abstract connect(): Promise<SearchSqlReady>;
  /** Closes what {@link SqlSearchIndex.connect} opened. */
  protected abstract disconnect(): Promise<void>;

  async initialize(): Promise<void> {
    await this.#open();
    await this.vectors?.initialize();
  }

  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready !== null && (await ready.then(() => true).catch(() => false)))
      await this.disconnect();
  }

  #open(): Promise<SearchSqlReady> {
    this.#ready ??= this.connect().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** Runs `work` over the open connection; a database failure becomes an `AdapterError`. */
  async #call<T>(work: (ready: SearchSqlReady) => Promise<T>): Promise<T> {
    const ready = await this.#open();
    try {
      return await work(ready);
    } catch (error) {
      if (error instanceof BotknobsError) throw error; // the port's own (ValidationError, …)
      const message = errorMessage(error);
      throw new AdapterError(this.name, `statement failed: ${message}`, { cause: error });
    }
  }

  async #scope(ready: SearchSqlReady, scope: IndexScope): Promise<ScopeRow | null> {
    const { sql, params } = ready.statements.scope(key(scope));
    const [row] = await ready.connection.all<Record<string, unknown>>(sql, params);
    return row === undefined ? null : scopeRow(row);
  }

  async #sources(ready: SearchSqlReady, row: ScopeRow): Promise<Map<string, IndexedSource>> {
    const { sql, params } = ready.statements.sources(row.id);
    const out = new Map<string, IndexedSource>();
    for (const r of await ready.connection.all<Record<string, unknown>>(sql, params))
      out.set(String(r.path), {
        checksum: String(r.checksum),
        fingerprint: String(r.fingerprint),
        chunks: Number(r.chunks),
      });
    return out;
  }

  async sources(scope: IndexScope): Promise<ReadonlyMap<string, IndexedSource>> {
    return this.#call(async (ready) => {
      const row = await this.#scope(ready, scope);
      return row === null ? new Map() : this.#sources(ready, row);
    });
  }

  async exists(scope: IndexScope): Promise<boolean> {
    return this.#call(async (ready) => (await this.#scope(ready, scope)) !== null);
  }

  async stage(scope: IndexScope, options: StageOptions = {}): Promise<IndexStage> {
    const { commitId = crypto.randomUUID() } = options;
    if (typeof commitId !== "string" || commitId === "" || commitId.length > 200)
      throw new ValidationError("Invalid commitId: expected a string of 1-200 characters");
    const fresh = options.fresh === true;
    const { version, indexed } = await this.#call(async (ready) => {
      const row = await this.#scope(ready, scope);
      const files = row === null || fresh ? new Map() : await this.#sources(ready, row);
      return { version: row?.version ?? "", indexed: files };
    });
    const init = {
      version,
      indexed,
      embedding: options.embedding ?? null,
      fresh,
      exclusive: options.exclusive === true,
      commitId,
    };
    return new SqlIndexStage(
      scope,
      init,
      (c) => this.#builtin.analyse(c.headingPath, c.text),
      (stage) => this.#commit(stage),
    );
  }

  async #commit(stage: SqlIndexStage): Promise<IndexCommit> {
    const { scope } = stage;
    const vectors = this.vectors;
    const written = vectors ? await writeVectors(vectors, stage) : new Map<string, string[]>();
    const puts = [...stage.puts.values()];
    const input = {
      vectorIds: written,
      withVectors: vectors !== null,
      deltas: termDeltas(puts.map((f) => f.terms)),
    };
    let plan: CommitPlan | undefined;
    let results: unknown[][];
    try {
      results = await this.#call((ready) => {
        plan = commitStatements(ready.statements, stage, input);
        return ready.connection.batch(plan.statements);
      });
    } catch (error) {
      const newIds = [...written.values()].flat();
      if (vectors && newIds.length > 0) await vectors.delete(newIds).catch(() => {});
      if (errorMessage(error).includes(STALE_INDEX))
        throw new StaleIndexError(
          `The search index of knowledge base '${scope.domainId}' moved on while this update was staged (it began from version '${stage.version}'): nothing was committed; plan the update again`,
        );
      throw error;
    }
    const { countAt, vectorIdsAt, chunks } = plan as CommitPlan;
    const removed = Number((results[countAt]?.[0] as { n?: unknown } | undefined)?.n ?? 0);
    if (vectors && vectorIdsAt !== null) {
      const kept = new Set([...written.values()].flat());
      const old = (results[vectorIdsAt] ?? [])
        .map((r) => String((r as { vector_id: unknown }).vector_id))
        .filter((id) => !kept.has(id));
      // A stale vector is never answered (no chunk has its id): a failed delete costs room only.
      if (old.length > 0) await vectors.delete(old).catch(() => {});
    }
    return {
      chunksAdded: chunks,
      chunksRemoved: removed,
      filesRemoved: stage.removes.size,
      version: stage.commitId,
    };
  }

  async query(scopes: IndexScope[], query: IndexQuery): Promise<IndexHit[]> {
    return this.#call(async (ready) => {
      const rows: { scope: IndexScope; row: ScopeRow }[] = [];
      for (const scope of scopes) {
        const row = await this.#scope(ready, scope);
        if (row !== null) rows.push({ scope, row });
      }
      return runQuery(
        {
          ...ready,
          builtin: this.#builtin,
          vectors: this.vectors,
          ranking: this.ranking,
          candidates: this.#candidates,
        },
        rows,
        query,
      );
    });
  }

  async remove(scope: IndexScope): Promise<boolean> {
    const { existed, vectorIds } = await this.#call(async (ready) => {
      const st = ready.statements;
      const reads: SqlStatement[] = this.vectors ? [st.vectorIds(key(scope), null)] : [];
      const results = await ready.connection.batch([...reads, ...st.removeScope(key(scope))]);
      return {
        existed: (results.at(-1) ?? []).length > 0,
        vectorIds:
          reads.length > 0
            ? (results[0] ?? []).map((r) => String((r as { vector_id: unknown }).vector_id))
            : [],
      };
    });
    if (this.vectors && vectorIds.length > 0) await this.vectors.delete(vectorIds).catch(() => {});
    return existed;
  }

  async scopes(): Promise<IndexScope[]> {
    return this.#call(async (ready) => {
      const { sql, params } = ready.statements.scopes();
      const rows = await ready.connection.all<Record<string, unknown>>(sql, params);
      return rows.map((r) => ({ domainId: String(r.domain_id), generation: String(r.generation) }));
    });
  }
}
