/**
 * The Cloudflare Vectorize adapter: {@link VectorizeVectorStore} behind the `VectorStore` port.
 * Exported from `botknobs/cloudflare`.
 * @module
 */

export {
  VECTORIZE_LIMITS,
  type VectorizeDescriptionLike,
  type VectorizeFilterLike,
  type VectorizeLike,
  type VectorizeMatchesLike,
  type VectorizeMetadataValueLike,
  type VectorizeQueryOptionsLike,
  type VectorizeVectorLike,
} from "./types.ts";
export { toVectorizeFilter } from "./vectorize-filter.ts";
export {
  ORIGINAL_ID_FIELD,
  VectorizeVectorStore,
  type VectorizeVectorStoreOptions,
} from "./vectorize-vector-store.ts";
