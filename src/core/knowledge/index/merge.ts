/**
 * Ranking across scopes: each scope's lexical and vector candidates are merged by raw score,
 * then fused (RRF when both sides answered) into hits with a 0–1 similarity.
 * @module
 */
import { fuseRrf, type RankedHit } from "./fusion.ts";
import { publicChunk, type ScopeState, type VectorSide } from "./scope-state.ts";
import type { IndexHit, IndexQuery, IndexScope } from "./types.ts";

/** A candidate of one scope (`s` is its index in the scopes queried). */
interface Candidate {
  s: number;
  id: string;
  score: number;
}

function byScore(a: Candidate, b: Candidate): number {
  return b.score - a.score || a.s - b.s || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** One fused hit before its chunk is looked up. */
interface Fused {
  s: number;
  id: string;
  similarity: number;
  lexical: number | null;
  vector: number | null;
}

const SEP = "\u001e";

/** RRF over the two merged lists (the hybrid case). */
function fuse(lexical: Candidate[], vector: Candidate[]): Fused[] {
  const tag = (c: Candidate): RankedHit => ({ id: `${c.s}${SEP}${c.id}`, score: c.score });
  return fuseRrf(lexical.map(tag), vector.map(tag)).map((h) => {
    const cut = h.id.indexOf(SEP);
    return {
      s: Number(h.id.slice(0, cut)),
      id: h.id.slice(cut + 1),
      similarity: h.similarity,
      lexical: h.lexical,
      vector: h.vector,
    };
  });
}

/** Lexical only: BM25 over the query's best score (the top hit is 1). */
function normalise(lexical: Candidate[]): Fused[] {
  const top = lexical[0]?.score ?? 1;
  return lexical.map((c) => ({
    s: c.s,
    id: c.id,
    similarity: top > 0 ? c.score / top : 0,
    lexical: c.score,
    vector: null,
  }));
}

/**
 * The best `q.k` hits over the scopes' states, best first (a scope's `vectors`: its vector side
 * when an external store keeps it).
 * @example
 * const hits = await mergeHits([{ scope, state }], { text: "reset password", k: 5 });
 */
export async function mergeHits(
  scoped: { scope: IndexScope; state: ScopeState; vectors?: VectorSide }[],
  q: IndexQuery,
): Promise<IndexHit[]> {
  const releases = scoped.map(({ state }) => state.hold());
  try {
    const hybrid = !!q.vector && !!q.text?.trim();
    const pool = hybrid ? Math.max(q.k * 4, 50) : q.k;
    const lexical: Candidate[] = [];
    const vector: Candidate[] = [];
    for (const [s, { state, vectors }] of scoped.entries()) {
      const found = await state.candidates(q, pool, vectors);
      for (const h of found.lexical) lexical.push({ s, id: h.id, score: h.score });
      for (const h of found.vector) vector.push({ s, id: h.id, score: h.score });
    }
    if (scoped.length > 1) {
      lexical.sort(byScore);
      vector.sort(byScore);
    }
    const fused =
      vector.length > 0
        ? fuse(lexical.slice(0, pool), vector.slice(0, pool))
        : normalise(lexical.slice(0, pool));
    const hits: IndexHit[] = [];
    const seen = new Set<string>();
    for (const hit of fused) {
      if (hits.length === q.k) break;
      const entry = scoped[hit.s];
      const chunk = entry?.state.chunks.get(hit.id);
      if (!entry || !chunk) continue;
      if (q.perSource) {
        const key = `${hit.s}${SEP}${chunk.source}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      hits.push({
        scope: entry.scope,
        chunk: publicChunk(chunk),
        similarity: hit.similarity,
        scores: { lexical: hit.lexical, vector: hit.vector, fused: hit.similarity },
      });
    }
    return hits;
  } finally {
    for (const release of releases) release();
  }
}
