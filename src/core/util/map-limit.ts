/**
 * {@link mapLimit}: `Promise.all` over a list with a bound on the calls in flight, for stores
 * that read one object per item (a page of records, a batch of blobs).
 * @module
 */

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; the results keep the order of
 * `items`. The first failure rejects (calls already started are left to finish).
 * @example
 * const records = await mapLimit(keys, 16, (key) => store.get(key));
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
