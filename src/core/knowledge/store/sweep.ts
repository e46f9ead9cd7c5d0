/**
 * {@link sweepKnowledge}: removes what crashed or raced writers left in a knowledge store.
 * @module
 */
import type { FileCopies } from "./copies.ts";
import type { DomainHeads } from "./domain-heads.ts";
import { isTombstone } from "./head.ts";
import { nodeKeys, scan } from "./manifest-tree.ts";

/**
 * Per domain: objects no head lists any more (uploads and file-list nodes older than `cutoff`, so
 * writes in progress are safe), everything of earlier generations, deleted knowledge bases whose
 * tombstone is older than `cutoff`, and copies out of step. Search-index objects
 * (`.botknobs/<generation>/index/`) of the current generation are the index's own business.
 * Returns how many objects it removed or repaired.
 */
export async function sweepKnowledge(
  heads: DomainHeads,
  copies: FileCopies,
  cutoff: number,
): Promise<number> {
  let removed = 0;
  for (const d of await heads.domains()) {
    const head = await heads.read(d).catch(() => null);
    if (!head) continue;
    if (isTombstone(head.doc)) {
      if (Date.parse(head.doc.deleted_at) >= cutoff) continue;
      const headKey = heads.headKey(d);
      const rest = await heads.keysUnder(`${heads.prefix}${d}/`, (key) => key !== headKey);
      await heads.store.delete(rest);
      removed += rest.length;
      // Only if nobody created it again meanwhile.
      if ((await heads.store.head(headKey))?.etag === head.etag) {
        await heads.store.delete(headKey);
        heads.forget(d);
        removed++;
      }
      continue;
    }
    const { generation } = head.doc.info;
    const source = heads.source(d, generation);
    const referenced = new Set<string>();
    for await (const id of nodeKeys(head.doc.root, source)) referenced.add(source.keyOf(id));
    for await (const e of scan(head.doc.root, "", source))
      if (e.blob) referenced.add(heads.blobKey(d, generation, e.blob));
    const mine = heads.generationPrefix(d, generation);
    const garbage = await heads.keysUnder(`${heads.prefix}${d}/.botknobs/`, (key, uploaded) => {
      if (uploaded >= cutoff) return false;
      if (!key.startsWith(mine)) return true; // an earlier generation
      const rest = key.slice(mine.length);
      return (rest.startsWith("blobs/") || rest.startsWith("nodes/")) && !referenced.has(key);
    });
    await heads.store.delete(garbage);
    removed += garbage.length + (await copies.repair(d));
  }
  return removed;
}
