/**
 * What every index's stage checks of a file put (the built-in `BlobIndexStage` and the
 * engine-backed `SqlIndexStage`), kept apart from both so that neither index's code comes with
 * the other's.
 * @module
 */
import { ClosedError, ValidationError } from "../../errors.ts";
import type { IndexChunk, IndexScope } from "./types.ts";

/**
 * Checks what a stage's `put` is given: as many vectors as chunks (when there are vectors), and
 * every chunk naming the file it is put as (a chunk's file decides where it lives); a
 * `ValidationError` otherwise.
 * @example
 * checkStagedFile("faq.md", chunks, vectors);
 */
export function checkStagedFile(
  path: string,
  chunks: readonly IndexChunk[],
  vectors: readonly Float32Array[] | null,
): void {
  if (vectors && vectors.length !== chunks.length)
    throw new ValidationError(`'${path}': ${vectors.length} vectors for ${chunks.length} chunks`);
  const stray = chunks.find((c) => c.source !== path);
  if (stray)
    throw new ValidationError(
      `'${path}': chunk ${stray.chunkIndex} names source '${stray.source}'`,
    );
}

/**
 * Throws `ClosedError` when a stage of `scope` is `done` (committed or aborted): every call of a
 * stage checks it first.
 * @example
 * checkStageOpen(this.#done, this.scope);
 */
export function checkStageOpen(done: boolean, scope: IndexScope): void {
  if (done)
    throw new ClosedError(
      `The index update of '${scope.domainId}' was already committed or aborted`,
    );
}
