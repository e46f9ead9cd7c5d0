/**
 * {@link withLatency}: a blob store that answers each call after a random delay, before and
 * after the real call, as a remote store does. Races that a fast in-memory store hides show up.
 * @module
 */
import type { BlobStore } from "../core/blob/types.ts";

const pause = (maxMs: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.random() * maxMs));

/**
 * Wraps `store` so that every call waits 0–`maxMs` ms before and after it runs.
 * @example
 * knowledgeBackendSuite(h, { name: "slow", create: () => new BlobKnowledgeBackend({ store: withLatency(new MemoryBlobStore(), 4) }) });
 */
export function withLatency(store: BlobStore, maxMs = 4): BlobStore {
  const slow =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await pause(maxMs);
      const result = await fn(...args);
      await pause(maxMs);
      return result;
    };
  const wrapped: BlobStore = {
    name: `${store.name}+latency`,
    capabilities: store.capabilities,
    initialize: () => store.initialize(),
    close: () => store.close(),
    head: slow((key) => store.head(key)),
    get: slow((key, options) => store.get(key, options)),
    put: slow((key, body, options) => store.put(key, body, options)),
    delete: slow((keys) => store.delete(keys)),
    list: slow((options) => store.list(options)),
  };
  if (store.copy) {
    const copy = store.copy.bind(store);
    wrapped.copy = slow((from: string, to: string) => copy(from, to));
  }
  return wrapped;
}
