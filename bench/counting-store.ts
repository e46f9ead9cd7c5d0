/**
 * A blob store wrapper that counts what passes: operations by kind and bytes written, so the
 * benchmarks can report the cost of a write in store operations and bytes, not only in time.
 */
import type { BlobStore } from "../src/index.ts";

export interface Counts {
  puts: number;
  bytesPut: number;
  gets: number;
  heads: number;
  deletes: number;
  copies: number;
  lists: number;
}

export function zero(): Counts {
  return { puts: 0, bytesPut: 0, gets: 0, heads: 0, deletes: 0, copies: 0, lists: 0 };
}

/** `store` with every call counted into the returned `counts` (reset it between measurements). */
export function counting(store: BlobStore): { store: BlobStore; counts: Counts } {
  const counts = zero();
  const wrapped: BlobStore = {
    name: store.name,
    capabilities: store.capabilities,
    initialize: () => store.initialize(),
    close: () => store.close(),
    head: (key) => {
      counts.heads++;
      return store.head(key);
    },
    get: (key, options) => {
      counts.gets++;
      return store.get(key, options);
    },
    put: (key, body, options) => {
      counts.puts++;
      if (body instanceof Uint8Array) {
        counts.bytesPut += body.length;
        return store.put(key, body, options);
      }
      const counted = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            counts.bytesPut += chunk.length;
            controller.enqueue(chunk);
          },
        }),
      );
      return store.put(key, counted, options);
    },
    delete: (keys) => {
      counts.deletes += typeof keys === "string" ? 1 : keys.length;
      return store.delete(keys);
    },
    list: (options) => {
      counts.lists++;
      return store.list(options);
    },
  };
  if (store.copy) {
    const copy = store.copy.bind(store);
    wrapped.copy = (from, to) => {
      counts.copies++;
      return copy(from, to);
    };
  }
  return { store: wrapped, counts };
}
