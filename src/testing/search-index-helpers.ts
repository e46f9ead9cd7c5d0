/**
 * What the `SearchIndex` suite's case files share: the chunks and vectors they index.
 * @module
 */
import type { IndexChunk, IndexScope } from "../core/knowledge/index/types.ts";

const SEP = "\u001f";
const DIMS = 8;

/**
 * A chunk of `path` in `scope` with `text` (its id as the ingestion forms it).
 * @example
 * chunk({ domainId: "support", generation: "g1" }, "faq.md", 0, "Reset your password.");
 */
export function chunk(
  scope: IndexScope,
  path: string,
  i: number,
  text: string,
  metadata: IndexChunk["metadata"] = {},
): IndexChunk {
  return {
    chunkId: `${scope.domainId}${SEP}${path}${SEP}${i}`,
    source: path,
    chunkIndex: i,
    text,
    headingPath: `Doc > ${path}`,
    headings: ["Doc", path],
    lineNumber: i + 1,
    metadata,
  };
}

/**
 * A deterministic vector for a word: one hot dimension plus a little of the next.
 * @example
 * vectorFor(4); // [0, 0, 0, 0, 1, 0.1, 0, 0]
 */
export function vectorFor(seed: number): Float32Array {
  const v = new Float32Array(DIMS);
  v[seed % DIMS] = 1;
  v[(seed + 1) % DIMS] = 0.1;
  return v;
}
