/**
 * One query of `SqlSearchIndex`: the lexical side from the engine's full-text index (ranked by
 * the built-in BM25F scorer over the engine's candidates, or by the engine's own rank), the
 * vector side from the vector store (its hits' chunks read back with the query's filter), both
 * fused by RRF as the built-in index fuses them, and the hits' chunks read last. Metadata filters
 * are SQL on both sides (sql-search-filter.ts). The engine's query is built from the words the
 * built-in tokenizer finds (`engineQuery`), each quoted or reduced to letters and digits, so no
 * character of a user's query (quotes, `*`, `NEAR`, `-`, `:`, `(`) is read as engine syntax.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { normalizeText, splitWords } from "./bm25/tokenize.ts";
import { validateFilter } from "./filter.ts";
import { fuseRrf } from "./fusion.ts";
import { domainAllows, type SqlFlavour } from "./sql-search-filter.ts";
import type { SearchSqlReady } from "./sql-search-statements.ts";
import type { BuiltinTerms, FieldTerms, Candidate as Scored } from "./sql-search-terms.ts";
import type { ScopeRow } from "./sql-search-writes.ts";
import type { IndexChunk, IndexHit, IndexQuery, IndexScope } from "./types.ts";
import { SCOPE_FIELD, scopeFilterValue } from "./vector-scope.ts";
import type { VectorStore } from "./vector-store.ts";

/** How lexical hits are ranked (see `SqlSearchIndexOptions.ranking`). */
export type SearchRanking = "builtin" | "engine";

/** What a query needs of its index. */
export interface QueryContext extends SearchSqlReady {
  builtin: BuiltinTerms;
  vectors: VectorStore | null;
  ranking: SearchRanking;
  candidates: number;
}

/** A scope queried, with its row. */
export interface ScopedRow {
  scope: IndexScope;
  row: ScopeRow;
}

/** A ranked chunk of scope `s` (its index among the scopes queried). */
interface Ranked {
  id: number;
  s: number;
  path: string;
  score: number;
}

type Row = Record<string, unknown>;

/** JSON columns come back as text from SQLite and parsed from PostgreSQL. */
function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function byScore(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.s - b.s || a.id - b.id;
}

/** The first of each file. */
function onePerFile(list: Ranked[]): Ranked[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const file = `${r.s}\u001f${r.path}`;
    if (seen.has(file)) return false;
    seen.add(file);
    return true;
  });
}

/** The lexical side: `n` chunks, best first. */
async function lexicalSide(
  ctx: QueryContext,
  scoped: ScopedRow[],
  text: string,
  q: IndexQuery,
  n: number,
): Promise<Ranked[]> {
  const st = ctx.statements;
  const match = engineQuery(text, ctx.builtin.stopwords, st.flavour);
  if (match === null) return [];
  const at = new Map(scoped.map(({ row }, s) => [row.id, s]));
  const perSource = q.perSource === true;
  const engine = ctx.ranking === "engine";
  // One per file wanted: more chunks, as several may be of one file.
  const limit = engine ? n : Math.max(ctx.candidates, (perSource ? 4 : 2) * n);
  const ids = [...at.keys()];
  const run = async (inner: number | null): Promise<Ranked[]> => {
    const read = st.lexical(ids, match, q.filter, limit, engine && perSource, inner);
    return (await ctx.connection.all<Row>(read.sql, read.params)).map((r) => ({
      id: Number(r.id),
      s: at.get(Number(r.scope_id)) as number,
      path: String(r.path),
      score: Number(r.score),
    }));
  };
  // SQLite: FTS5's own best rows first, deeper while too few of them pass scope and filter.
  let found: Ranked[] = [];
  for (let inner = 2 * limit; ; inner *= 8) {
    const deep = st.flavour === "postgres" || inner > 64 * limit;
    found = await run(deep ? null : inner);
    if (deep || found.length >= limit) break;
  }
  if (engine || found.length === 0) return found;
  const ranked = await rerank(ctx, scoped, text, found);
  return (perSource ? onePerFile(ranked) : ranked).slice(0, n);
}

/** The engine's candidates ranked by the built-in scorer, with each scope's statistics. */
async function rerank(
  ctx: QueryContext,
  scoped: ScopedRow[],
  text: string,
  found: Ranked[],
): Promise<Ranked[]> {
  const st = ctx.statements;
  const terms = ctx.builtin.queryTerms(text);
  if (terms.length === 0) return [];
  const distinct = [...new Set(terms)];
  const ids = found.map((r) => r.id);
  const lengths = st.candidateLengths(ids);
  const rows = new Map<number, Scored>();
  // A file's terms, once for all its chunks, by `<scope id>/<path>`.
  const files = new Map<string, FieldTerms>();
  const fileOf = (scopeId: unknown, path: unknown): FieldTerms => {
    const key = `${Number(scopeId)}/${String(path)}`;
    let terms = files.get(key);
    if (!terms) {
      terms = {};
      files.set(key, terms);
    }
    return terms;
  };
  for (const r of await ctx.connection.all<Row>(lengths.sql, lengths.params))
    rows.set(Number(r.id), {
      unit: { terms: {}, lengths: [Number(r.len_h), Number(r.len_t)] },
      group: {
        terms: fileOf(r.scope_id, r.path),
        lengths: [Number(r.file_len_h), Number(r.file_len_t)],
      },
    });
  const counts = st.candidateTerms(ids, distinct);
  for (const r of await ctx.connection.all<Row>(counts.sql, counts.params)) {
    const key = String(r.key);
    const terms = Number(r.file) === 1 ? files.get(key) : rows.get(Number(key))?.unit.terms;
    if (terms) terms[String(r.term)] = json<[number, number]>(r.counts);
  }
  const out: Ranked[] = [];
  for (const [s, { row }] of scoped.entries()) {
    const mine = found.filter((r) => r.s === s && rows.has(r.id));
    if (mine.length === 0) continue;
    const stats = st.termStats(row.id, distinct);
    const df = new Map<string, number>();
    const gdf = new Map<string, number>();
    for (const r of await ctx.connection.all<Row>(stats.sql, stats.params)) {
      df.set(String(r.term), Number(r.df));
      gdf.set(String(r.term), Number(r.gdf));
    }
    const scores = ctx.builtin.score(
      terms,
      mine.map((r) => rows.get(r.id) as Scored),
      { units: row.chunks, groups: row.files, lengthSum: [row.lenH, row.lenT], df, gdf },
    );
    for (const [i, r] of mine.entries()) {
      const score = scores[i] as number;
      if (score > 0) out.push({ ...r, score });
    }
  }
  return out.sort(byScore);
}

/** The vector side: up to `n` chunks per scope, best first over all. */
async function vectorSide(
  ctx: QueryContext,
  scoped: ScopedRow[],
  q: IndexQuery,
  n: number,
): Promise<Ranked[]> {
  const store = ctx.vectors;
  if (!store || !q.vector) return [];
  const out: Ranked[] = [];
  for (const [s, { scope, row }] of scoped.entries()) {
    if (row.embedding === null || row.embedding !== (q.embedding ?? row.embedding)) continue;
    if (row.chunks === 0) continue;
    // Twice as many as needed: hits the filter refuses, or of replaced files, leave room.
    const k = Math.min(2 * n, store.capabilities.maxK ?? 2 * n);
    const hits = await store.query(q.vector, {
      k,
      filter: { [SCOPE_FIELD]: scopeFilterValue(scope) },
    });
    if (hits.length === 0) continue;
    const read = ctx.statements.vectorChunks(
      row.id,
      hits.map((h) => h.id),
      q.filter,
    );
    const chunks = new Map<string, { id: number; path: string }>();
    for (const r of await ctx.connection.all<Row>(read.sql, read.params))
      chunks.set(String(r.vector_id), { id: Number(r.id), path: String(r.path) });
    let taken = 0;
    for (const hit of hits) {
      const chunk = chunks.get(hit.id);
      if (!chunk) continue;
      out.push({ ...chunk, s, score: hit.score });
      if (++taken === n) break;
    }
  }
  return out.sort(byScore);
}

/** At most this many distinct words of a query go to the engine (FTS5 nests each OR once). */
export const MAX_QUERY_WORDS = 256;

/**
 * The engine's query for `text`: its distinct words less `stopwords`, any of which may match
 * (OR); `null` when nothing is left. SQLite gets each word as an FTS5 string (`"…"`, inner
 * quotes doubled); PostgreSQL gets each word's runs of letters and digits as `to_tsquery`
 * operands joined by `|`.
 * @example
 * engineQuery('"reset" NEAR password*', new Set(), "sqlite"); // '"reset" OR "near" OR "password"'
 */
export function engineQuery(
  text: string,
  stopwords: ReadonlySet<string>,
  flavour: SqlFlavour,
): string | null {
  const words = new Set<string>();
  for (const word of splitWords(normalizeText(text))) {
    if (stopwords.has(word)) continue;
    if (flavour === "sqlite") words.add(`"${word.replaceAll('"', '""')}"`);
    else for (const part of word.match(/[\p{L}\p{N}]{1,100}/gu) ?? []) words.add(part);
    if (words.size >= MAX_QUERY_WORDS) break;
  }
  if (words.size === 0) return null;
  return [...words].join(flavour === "sqlite" ? " OR " : " | ");
}

/** A fused hit before its chunk is read. */
interface Fused {
  ranked: Ranked;
  similarity: number;
  lexical: number | null;
  vector: number | null;
}

/** RRF when the vector side answered, else BM25 over the best (the top hit is 1). */
function fuse(lexical: Ranked[], vector: Ranked[]): Fused[] {
  if (vector.length === 0) {
    const top = lexical[0]?.score ?? 1;
    return lexical.map((r) => ({
      ranked: r,
      similarity: top > 0 ? r.score / top : 0,
      lexical: r.score,
      vector: null,
    }));
  }
  const byId = new Map<string, Ranked>();
  const tag = (r: Ranked) => {
    byId.set(String(r.id), r);
    return { id: String(r.id), score: r.score };
  };
  return fuseRrf(lexical.map(tag), vector.map(tag)).map((h) => ({
    ranked: byId.get(h.id) as Ranked,
    similarity: h.similarity,
    lexical: h.lexical,
    vector: h.vector,
  }));
}

/** The chunk of a row (alias `c`, `CHUNK_COLUMNS`). */
function chunkOf(r: Row): IndexChunk {
  return {
    chunkId: String(r.chunk_id),
    source: String(r.path),
    chunkIndex: Number(r.chunk_index),
    text: String(r.text),
    headingPath: String(r.heading_path),
    headings: json<string[]>(r.headings),
    lineNumber: Number(r.line_number),
    metadata: json<IndexChunk["metadata"]>(r.metadata),
  };
}

/**
 * The best `q.k` hits of the scopes for `q`, best first.
 * @example
 * const hits = await runQuery(ctx, [{ scope, row }], { text: "reset password", k: 5 });
 */
export async function runQuery(
  ctx: QueryContext,
  scoped: ScopedRow[],
  q: IndexQuery,
): Promise<IndexHit[]> {
  const { k } = q;
  if (!Number.isInteger(k) || k < 1 || k > 1000)
    throw new ValidationError(`Invalid k ${k}: expected an integer 1–1000`);
  if (q.filter !== undefined) validateFilter(q.filter);
  const live = scoped.filter(({ scope }) => domainAllows(q.filter, scope.domainId));
  if (live.length === 0) return [];
  const text = q.text?.trim() ? q.text : "";
  const hybrid = !!q.vector && text !== "";
  const pool = hybrid ? Math.max(k * 4, 50) : k;
  const lexical = text ? await lexicalSide(ctx, live, text, q, pool) : [];
  const vector = await vectorSide(ctx, live, q, q.perSource ? pool * 4 : pool);
  let fused = fuse(lexical.slice(0, pool), vector.slice(0, pool));
  if (q.perSource) {
    const first = new Set(onePerFile(fused.map((f) => f.ranked)));
    fused = fused.filter((f) => first.has(f.ranked));
  }
  fused = fused.slice(0, k);
  if (fused.length === 0) return [];
  const read = ctx.statements.chunks(fused.map((f) => f.ranked.id));
  const rows = new Map<number, Row>();
  for (const r of await ctx.connection.all<Row>(read.sql, read.params)) rows.set(Number(r.id), r);
  const hits: IndexHit[] = [];
  for (const f of fused) {
    const row = rows.get(f.ranked.id);
    if (!row) continue; // replaced by a commit since it was found
    hits.push({
      scope: (live[f.ranked.s] as ScopedRow).scope,
      chunk: chunkOf(row),
      similarity: f.similarity,
      scores: { lexical: f.lexical, vector: f.vector, fused: f.similarity },
    });
  }
  return hits;
}
