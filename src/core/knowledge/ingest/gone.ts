/**
 * A knowledge base deleted (or deleted and created again) while a run ingested it: how a run
 * tells, and what it leaves behind — nothing of that generation in the index, so that its chunks
 * never serve a later knowledge base of the same id.
 * @module
 */
import type { IngestTarget } from "./types.ts";

/**
 * True when the run's knowledge base is gone: none under its id, or a newer generation.
 * @example
 * if (error instanceof NotFoundError && (await targetGone(target))) throw error;
 */
export async function targetGone(target: IngestTarget): Promise<boolean> {
  const info = await target.source.getInfo(target.domainId);
  return info === null || info.generation !== target.generation;
}

/**
 * Removes everything the index holds for the run's generation (its knowledge base is gone).
 * @example
 * await forgetTarget(target);
 */
export async function forgetTarget(target: IngestTarget): Promise<void> {
  await target.destination.index.remove({
    domainId: target.domainId,
    generation: target.generation,
  });
}
