/**
 * What a commit of `SqlSearchIndex` writes: the chunk vectors (to the vector store, before the
 * transaction) and the statements of the transaction — the replaced and removed files' rows and
 * statistics taken off, the new ones written — in the order `SearchStatements` gives them.
 * @module
 */
import type { SqlIndexStage } from "./sql-search-stage.ts";
import type { ScopeKey, SearchStatements, SqlStatement } from "./sql-search-statements.ts";
import { SCOPE_FIELD, scopeFilterValue, sha256Text, untilVisible } from "./vector-scope.ts";
import type { VectorRecord, VectorStore } from "./vector-store.ts";

/** A scope's row: its id, version, embedding and the built-in scorer's counts. */
export interface ScopeRow {
  id: number;
  version: string;
  embedding: string | null;
  chunks: number;
  files: number;
  lenH: number;
  lenT: number;
}

/** Vector records per `upsert` call (the store batches further as its engine needs). */
const UPSERT_BATCH = 1000;

/**
 * The JSON text of one statement's rows stays under this many characters (at most 1.5 MB of
 * UTF-8: D1 takes a string of up to 2 MB).
 */
const PART_CHARS = 500_000;

/**
 * Rows per statement at most: with {@link PART_CHARS}, what bounds the memory of a commit's
 * statement in the engine (a JSON array parsed there) and in the client, whatever the chunks'
 * sizes.
 */
export const COMMIT_ROWS = 1000;

/**
 * Writes the vectors of the stage's files and waits until they show; the ids by path, in chunk
 * order. An id names the knowledge base, the file and the commit (`<128-bit hash>.<chunk>`, at
 * most 43 bytes), so a commit never overwrites the vectors another one answers with.
 */
export async function writeVectors(
  store: VectorStore,
  stage: SqlIndexStage,
): Promise<Map<string, string[]>> {
  const { scope } = stage;
  const metadata = {
    [SCOPE_FIELD]: scopeFilterValue(scope),
    domain_id: scope.domainId,
    generation: scope.generation,
  };
  const ids = new Map<string, string[]>();
  let records: VectorRecord[] = [];
  for (const f of stage.puts.values()) {
    if (!f.vectors) continue;
    const file = sha256Text(
      [scope.domainId, scope.generation, f.path, stage.commitId].join("\u001f"),
    ).slice(0, 32);
    const of: string[] = [];
    for (const [i, c] of f.chunks.entries()) {
      const id = `${file}.${c.chunkIndex}`;
      of.push(id);
      records.push({ id, vector: f.vectors[i] as Float32Array, metadata });
      if (records.length === UPSERT_BATCH) {
        await store.upsert(records);
        records = [];
      }
    }
    ids.set(f.path, of);
  }
  if (records.length > 0) await store.upsert(records);
  if (ids.size > 0) await untilVisible(store);
  return ids;
}

/**
 * JSON arrays of `rows` (each row's JSON text), each under {@link PART_CHARS} characters and
 * {@link COMMIT_ROWS} rows, made as they are asked for.
 */
function* parts(rows: Iterable<string>): Generator<string> {
  let current: string[] = [];
  let size = 2;
  for (const text of rows) {
    if (
      current.length > 0 &&
      (size + text.length + 1 > PART_CHARS || current.length === COMMIT_ROWS)
    ) {
      yield `[${current.join(",")}]`;
      current = [];
      size = 2;
    }
    current.push(text);
    size += text.length + 1;
  }
  if (current.length > 0) yield `[${current.join(",")}]`;
}

/** A row's JSON text: `values` as JSON, then `json` (JSON text already) in their places. */
function row(values: unknown[], json: Record<number, string>): string {
  return `[${values.map((v, i) => json[i] ?? JSON.stringify(v)).join(",")}]`;
}

/** A commit's statements, and where the rows it reads come back. */
export interface CommitPlan {
  /**
   * The statements, in order, made as the connection asks for them: one statement's rows at a
   * time (at most {@link COMMIT_ROWS}), and each file's chunks let go once their rows are made,
   * so a commit holds no second copy of what it writes.
   */
  statements: Iterable<SqlStatement>;
  /** The statement counting the chunks replaced or removed (`n`). */
  countAt: number;
  /** The statement reading their vector ids, when the index keeps vectors. */
  vectorIdsAt: number | null;
  /** The chunks the commit writes. */
  chunks: number;
}

/**
 * The statements of `stage`'s commit: `deltas` are the document frequencies its files add,
 * `vectorIds` the ids `writeVectors` gave. Iterating the statements empties the staged files'
 * chunks (the stage is spent once committed).
 */
export function commitStatements(
  st: SearchStatements,
  stage: SqlIndexStage,
  input: {
    vectorIds: ReadonlyMap<string, string[]>;
    withVectors: boolean;
    deltas: ReadonlyMap<string, [number, number]>;
  },
): CommitPlan {
  const key: ScopeKey = { domainId: stage.scope.domainId, generation: stage.scope.generation };
  const puts = [...stage.puts.values()];
  const touched = stage.fresh ? null : [...new Set([...stage.puts.keys(), ...stage.removes])];
  const head: SqlStatement[] = [
    ...st.begin(key, stage.exclusive ? stage.version : null),
    st.ensureScope(key),
  ];
  const countAt = head.push(st.countChunks(key, touched)) - 1;
  const vectorIdsAt = input.withVectors ? head.push(st.vectorIds(key, touched)) - 1 : null;
  if (touched === null || touched.length > 0)
    head.push(
      ...st.dropTerms(key, touched),
      st.dropTotals(key, touched),
      ...st.deleteFiles(key, touched),
    );
  const added = { chunks: 0, files: puts.length, lenH: 0, lenT: 0 };
  for (const f of puts) {
    added.chunks += f.chunks.length;
    added.lenH += f.file.lengths[0];
    added.lenT += f.file.lengths[1];
  }
  function* sources(): Generator<string> {
    for (const f of puts) {
      const [lenH, lenT] = f.file.lengths;
      const { checksum, fingerprint } = f.source;
      const values = [f.path, checksum, fingerprint, f.chunks.length, null, lenH, lenT];
      yield row(values, { 4: f.file.terms });
    }
  }
  // One file's rows at a time, its chunks let go once made.
  function* chunks(): Generator<string> {
    for (const f of puts) {
      const vectorIds = input.vectorIds.get(f.path);
      for (const [i, c] of f.chunks.entries()) {
        const [lenH, lenT] = f.lengths[i] as [number, number];
        const values: unknown[] = [f.path, c.chunkIndex, c.chunkId, c.headingPath, c.headings];
        values.push(c.lineNumber, c.metadata, c.text, vectorIds?.[i] ?? null, null, lenH, lenT);
        yield row(values, { 9: f.terms[i] as string });
      }
      f.chunks = [];
      f.terms = [];
      f.lengths = [];
      f.vectors = null;
    }
  }
  function* deltas(): Generator<string> {
    for (const [term, [df, gdf]] of input.deltas) yield JSON.stringify([term, df, gdf]);
  }
  function* statements(): Generator<SqlStatement> {
    yield* head;
    for (const part of parts(sources())) yield st.insertSources(key, part);
    for (const part of parts(chunks())) yield st.insertChunks(key, part);
    for (const part of parts(deltas())) yield st.addTerms(key, part);
    yield st.finish(key, added, stage.commitId, stage.embedding, stage.fresh);
  }
  return { statements: statements(), countAt, vectorIdsAt, chunks: added.chunks };
}
