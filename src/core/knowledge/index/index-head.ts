/**
 * The head of a scope's persisted index (`head.json`, replaced by compare-and-set): the chain of
 * immutable segments it lists, and the revisions that chain keeps.
 * @module
 */
import type { IndexScope } from "./types.ts";

/** A segment as the head lists it. */
export interface SegmentRef {
  key: string;
  kind: "base" | "delta";
  bytes: number;
  sha256: string;
  chunks: number;
  /**
   * The scope's revision once this segment is applied (the commit that wrote it; a compaction's
   * base has the revision it folds). Absent in segments written before revisions were kept.
   */
  commit_id?: string;
  /** When that revision was committed (ISO-8601). */
  committed_at?: string;
}

/**
 * The head of a scope's persisted index. `segments` is a chain read from its start: a base
 * replaces the state, a delta changes it. The scope as of a revision is the chain up to that
 * revision's segment, from the last base before it; the current state starts at the last base.
 */
export interface IndexHead {
  format: "botknobs.index";
  format_version: number;
  domain_id: string;
  generation: string;
  commit: number;
  committed_at: string;
  segments: SegmentRef[];
  /** The id of the last commit: the scope's version (absent in heads of earlier versions). */
  commit_id?: string;
  /**
   * Revisions that left the chain (pruned by `keepRevisions`), oldest first, the last
   * {@link MAX_PRUNED_REMEMBERED}: asked for, they are reported gone rather than unknown.
   */
  pruned?: string[];
}

/** The index head format this code writes and reads. */
export const INDEX_FORMAT_VERSION = 1;

/** How many pruned revision ids a head remembers. */
export const MAX_PRUNED_REMEMBERED = 100;

/**
 * The folder of a scope's index objects under a key prefix (`""` or ending in `/`).
 * @example
 * indexPrefixOf("", { domainId: "support", generation: "g1" }); // "support/.botknobs/g1/index/"
 */
export function indexPrefixOf(prefix: string, scope: IndexScope): string {
  return `${prefix}${scope.domainId}/.botknobs/${scope.generation}/index/`;
}

/**
 * The key of a scope's index head.
 * @example
 * headKeyOf("", scope); // "support/.botknobs/g1/index/head.json"
 */
export function headKeyOf(prefix: string, scope: IndexScope): string {
  return `${indexPrefixOf(prefix, scope)}head.json`;
}

/**
 * The version a head records (heads written before commit ids: the last segment's key).
 * @example
 * versionOfHead(head); // "4c1f…", the id of its last commit
 */
export function versionOfHead(head: IndexHead | null): string {
  return head ? (head.commit_id ?? head.segments.at(-1)?.key ?? "") : "";
}
