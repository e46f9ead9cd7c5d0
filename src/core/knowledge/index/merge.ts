/**
 * Ranking across scopes: each scope's lexical and vector candidates are merged by raw score,
 * then fused (RRF when both sides answered) into hits with a 0–1 similarity.
 * @module
 */
import { type FusedHit, fuseRrf, normaliseLexical, type RankedHit } from "./fusion.ts";
import type { ScopeState, StoredChunk } from "./scope-state.ts";
import type { IndexChunk, IndexHit, IndexQuery, IndexScope } from "./types.ts";

const SEP = "\u001e";

function byScore(a: RankedHit, b: RankedHit): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The chunk as the port hands it out (the internal id stays inside). */
function publicChunk(c: StoredChunk): IndexChunk {
  const { id: _id, ...chunk } = c;
  return chunk;
}

/**
 * The best `q.k` hits over the scopes' states, best first.
 * @example
 * const hits = await mergeHits([{ scope, state }], { text: "reset password", k: 5 });
 */
export async function mergeHits(
  scoped: { scope: IndexScope; state: ScopeState }[],
  q: IndexQuery,
): Promise<IndexHit[]> {
  const releases = scoped.map(({ state }) => state.hold());
  try {
    const hybrid = !!q.vector && !!q.text?.trim();
    const pool = hybrid ? Math.max(q.k * 4, 50) : q.k;
    const lexical: RankedHit[] = [];
    const vector: RankedHit[] = [];
    const tag = (i: number, id: string): string => `${i}${SEP}${id}`;
    for (const [i, { state }] of scoped.entries()) {
      const found = await state.candidates(q, pool);
      for (const h of found.lexical) lexical.push({ id: tag(i, h.id), score: h.score });
      for (const h of found.vector) vector.push({ id: tag(i, h.id), score: h.score });
    }
    lexical.sort(byScore);
    vector.sort(byScore);
    const fused: FusedHit[] =
      vector.length > 0
        ? fuseRrf(lexical.slice(0, pool), vector.slice(0, pool))
        : normaliseLexical(lexical.slice(0, pool));
    const hits: IndexHit[] = [];
    const seen = new Set<string>();
    for (const hit of fused) {
      if (hits.length === q.k) break;
      const cut = hit.id.indexOf(SEP);
      const i = Number(hit.id.slice(0, cut));
      const chunk = scoped[i]?.state.chunks.get(hit.id.slice(cut + 1));
      if (!chunk) continue;
      if (q.perSource) {
        const key = `${i}${SEP}${chunk.source}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      hits.push({
        scope: (scoped[i] as { scope: IndexScope }).scope,
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
