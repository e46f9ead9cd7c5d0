/**
 * Reciprocal-rank fusion of ranked lists into hits with a 0–1 `similarity`.
 * @module
 */

/** The RRF constant of Cormack et al. (2009). */
export const RRF_K = 60;

/** One ranked hit. */
export interface RankedHit {
  id: string;
  score: number;
}

/** A fused hit with the component scores it came from. */
export interface FusedHit {
  id: string;
  /** In 0–1: the fused score over the best possible one (first in every list). */
  similarity: number;
  lexical: number | null;
  vector: number | null;
}

/**
 * Fuses a lexical and a vector ranking by RRF (`Σ 1 / (k + rank)`). Ties break by id so results
 * are deterministic.
 */
export function fuseRrf(lexical: RankedHit[], vector: RankedHit[], k: number = RRF_K): FusedHit[] {
  const fused = new Map<string, FusedHit & { rrf: number }>();
  const lists: [RankedHit[], "lexical" | "vector"][] = [
    [lexical, "lexical"],
    [vector, "vector"],
  ];
  for (const [list, kind] of lists) {
    list.forEach((hit, rank) => {
      const entry = fused.get(hit.id) ?? {
        id: hit.id,
        similarity: 0,
        rrf: 0,
        lexical: null,
        vector: null,
      };
      entry.rrf += 1 / (k + rank + 1);
      entry[kind] = hit.score;
      fused.set(hit.id, entry);
    });
  }
  const best = 2 / (k + 1);
  return [...fused.values()]
    .sort((a, b) => b.rrf - a.rrf || (a.id < b.id ? -1 : 1))
    .map(({ rrf, ...hit }) => ({ ...hit, similarity: rrf / best }));
}
