/**
 * {@link copyObject}: a copy inside a {@link BlobStore}, native where the store has one.
 * @module
 */
import type { BlobMeta, BlobStore } from "./types.ts";

/**
 * Copies `from` to `to` with the store's own `copy` (a hard link, a shared buffer, `CopyObject`),
 * or by streaming `get` into `put` with the known length. `null` when `from` is missing.
 * @example
 * await copyObject(store, "kb/.botknobs/g1/blobs/9f2c", "kb/faq.md");
 */
export async function copyObject(
  store: BlobStore,
  from: string,
  to: string,
): Promise<BlobMeta | null> {
  if (store.copy) return store.copy(from, to);
  const source = await store.get(from);
  if (!source) return null;
  return store.put(to, source.body, {
    size: source.size,
    ...(source.contentType === null ? {} : { contentType: source.contentType }),
  });
}
