/**
 * The revisions a `BlobSearchIndex` keeps of a scope, read from its head's segment chain. Every
 * commit is a revision (its commit id); each segment names the revision it brings the scope to.
 * A compaction appends a base instead of replacing the chain, and pruning drops the chain's
 * start once more than `keepRevisions` revisions follow it — so the scope as of a kept
 * revision is always the chain up to that revision's segment, from the last base before it.
 * @module
 */
import type { IndexHead, SegmentRef } from "./index-head.ts";
import { MAX_PRUNED_REMEMBERED, versionOfHead } from "./index-head.ts";
import type { IndexRevision, RevisionState } from "./types.ts";

export type { IndexRevision, RevisionState } from "./types.ts";

/** The index of the last base at or before `end` (0 when there is none: a chain may open with a delta). */
function baseAtOrBefore(segments: readonly SegmentRef[], end: number): number {
  for (let i = end; i >= 0; i--) if (segments[i]?.kind === "base") return i;
  return 0;
}

/**
 * The segments the current state is built from: the last base and what follows it.
 * @example
 * currentChain(head.segments); // [base, delta, delta]
 */
export function currentChain(segments: readonly SegmentRef[]): SegmentRef[] {
  return segments.slice(baseAtOrBefore(segments, segments.length - 1));
}

/**
 * The segments that build the scope as of `revision` (its last segment and back to a base),
 * or null when the chain does not list it.
 * @example
 * chainAsOf(head.segments, "4c1f…"); // [base, delta] — the state that commit left
 */
export function chainAsOf(segments: readonly SegmentRef[], revision: string): SegmentRef[] | null {
  for (let i = segments.length - 1; i >= 0; i--)
    if (segments[i]?.commit_id === revision)
      return segments.slice(baseAtOrBefore(segments, i), i + 1);
  return null;
}

/**
 * The revisions a head keeps, newest (the current one) first.
 * @example
 * revisionsOf(head)[0]; // { revision: head.commit_id, committedAt, current: true }
 */
export function revisionsOf(head: IndexHead | null): IndexRevision[] {
  if (!head) return [];
  const current = versionOfHead(head);
  // A compaction rewrites the head, not the revision: its time is its segment's.
  const at = head.segments.findLast((s) => s.commit_id === current)?.committed_at;
  const out: IndexRevision[] = [
    { revision: current, committedAt: at ?? head.committed_at, current: true },
  ];
  const seen = new Set([current]);
  for (let i = head.segments.length - 1; i >= 0; i--) {
    const ref = head.segments[i] as SegmentRef;
    if (ref.commit_id === undefined || seen.has(ref.commit_id)) continue;
    seen.add(ref.commit_id);
    out.push({ revision: ref.commit_id, committedAt: ref.committed_at ?? null, current: false });
  }
  return out;
}

/**
 * Whether a head keeps `revision`, remembers pruning it, or never heard of it.
 * @example
 * revisionState(head, pin.revision); // "kept" | "pruned" | "unknown"
 */
export function revisionState(head: IndexHead | null, revision: string): RevisionState {
  if (!head) return "unknown";
  if (versionOfHead(head) === revision || chainAsOf(head.segments, revision)) return "kept";
  return head.pruned?.includes(revision) ? "pruned" : "unknown";
}

/** What {@link pruneChain} keeps and drops. */
export interface PrunedChain {
  kept: SegmentRef[];
  dropped: SegmentRef[];
  /** The revisions that left with `dropped`, oldest first. */
  pruned: string[];
}

/**
 * The chain cut to its newest `keep` revisions: it starts at the last base at or before the
 * oldest kept revision's segment (so revisions between that base and it stay too).
 * @example
 * pruneChain(segments, 10).dropped; // segments no kept revision needs
 */
export function pruneChain(segments: readonly SegmentRef[], keep: number): PrunedChain {
  const seen = new Set<string>();
  let oldest = -1;
  for (let i = segments.length - 1; i >= 0 && seen.size < keep; i--) {
    const id = segments[i]?.commit_id;
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    oldest = i;
  }
  // Fewer revisions than `keep` (or none named: segments of an earlier version): keep all.
  if (seen.size < keep || oldest <= 0) return { kept: [...segments], dropped: [], pruned: [] };
  const start = baseAtOrBefore(segments, oldest);
  const kept = segments.slice(start);
  const dropped = segments.slice(0, start);
  const still = new Set(kept.map((s) => s.commit_id));
  const pruned: string[] = [];
  for (const s of dropped)
    if (s.commit_id !== undefined && !still.has(s.commit_id) && !pruned.includes(s.commit_id))
      pruned.push(s.commit_id);
  return { kept, dropped, pruned };
}

/**
 * The pruned revisions a head remembers after `pruned` left too (the newest
 * {@link MAX_PRUNED_REMEMBERED}).
 * @example
 * head.pruned = rememberPruned(previous.pruned, cut.pruned);
 */
export function rememberPruned(before: readonly string[] | undefined, pruned: string[]): string[] {
  return [...(before ?? []), ...pruned].slice(-MAX_PRUNED_REMEMBERED);
}
