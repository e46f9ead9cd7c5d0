/**
 * How the indexes that keep chunk vectors in a `VectorStore` (`BlobSearchIndex` with `vectors`,
 * the engine-backed `SqlSearchIndex`) mark each vector with its knowledge base, so that a query
 * is filtered to the knowledge bases it reads.
 * @module
 */
import { Sha256 } from "../../util/sha256.ts";
import { sleep } from "../../util/turns.ts";
import type { IndexScope } from "./types.ts";
import type { VectorStore } from "./vector-store.ts";

/**
 * The metadata field holding a vector's scope (`<domain>/<generation>`, or `#` and a hash when
 * that is over 64 bytes: Vectorize compares a string's first 64 bytes). Vectorize filters only on
 * fields with a metadata index: `wrangler vectorize create-metadata-index <index>
 * --property-name=_botknobs_scope --type=string`.
 */
export const SCOPE_FIELD = "_botknobs_scope";

const encoder = new TextEncoder();

/** SHA-256 of a string's UTF-8, in hex. */
export function sha256Text(text: string): string {
  return new Sha256().update(encoder.encode(text)).hex();
}

/**
 * The value of {@link SCOPE_FIELD} for a scope: `<domain>/<generation>`, or `#` and a hash of
 * them when that is over 64 bytes (domain ids hold no `#`: a hashed value never equals a plain one).
 * @example
 * scopeFilterValue({ domainId: "support", generation: "g1" }); // "support/g1"
 */
export function scopeFilterValue(scope: IndexScope): string {
  const plain = `${scope.domainId}/${scope.generation}`;
  if (encoder.encode(plain).length <= 64) return plain;
  return `#${sha256Text(`${scope.domainId}\u001f${scope.generation}`).slice(0, 40)}`;
}

/**
 * Waits until the store's completed writes show in its queries: its `settled()`, or its declared
 * `visibilityLagMs` when it has none (at once for a store without a lag).
 * @example
 * await store.upsert(records);
 * await untilVisible(store);
 */
export async function untilVisible(store: VectorStore): Promise<void> {
  if (store.settled) await store.settled();
  else if ((store.capabilities.visibilityLagMs ?? 0) > 0)
    await sleep(store.capabilities.visibilityLagMs as number);
}
