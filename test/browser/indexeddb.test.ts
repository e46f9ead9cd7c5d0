// Inside Chromium: the IndexedDB record store and blob store of botknobs/browser through the
// conformance umbrella (the registry over the record store; the knowledge backend and the
// persisted search index over the blob store). Each case's store has a database of its own; its
// second instance (`reopen`) is another connection to the same database, as another tab opens it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  deleteBrowserDatabase,
  IndexedDBBlobStore,
  IndexedDBRecordStore,
} from "../../src/adapters/browser/index.ts";
import type { BlobStore, RecordStore } from "../../src/index.ts";
import { conformance } from "../../src/testing/index.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const fresh = (): string => `botknobs-test-${crypto.randomUUID().slice(0, 12)}`;

/** Every instance made over a database, closed before the database is deleted. */
const opened = new Map<string, (RecordStore | BlobStore)[]>();
const dbOf = (store: RecordStore | BlobStore): string =>
  (store as IndexedDBRecordStore | IndexedDBBlobStore).database.dbName;
function track<T extends RecordStore | BlobStore>(store: T): T {
  const name = dbOf(store);
  opened.set(name, [...(opened.get(name) ?? []), store]);
  return store;
}
async function destroy(store: RecordStore | BlobStore): Promise<void> {
  const name = dbOf(store);
  for (const s of opened.get(name) ?? []) await s.close();
  opened.delete(name);
  await deleteBrowserDatabase(name);
}

conformance(h, {
  name: "IndexedDB in Chromium",
  recordStore: {
    create: () => track(new IndexedDBRecordStore({ dbName: fresh() })),
    reopen: (store) => track(new IndexedDBRecordStore({ dbName: dbOf(store) })),
    destroy,
    registry: { persistsOnClose: true },
  },
  blobStore: {
    create: () => track(new IndexedDBBlobStore({ dbName: fresh(), pageBytes: 1024 })),
    reopen: (store) => track(new IndexedDBBlobStore({ dbName: dbOf(store), pageBytes: 4096 })),
    destroy,
  },
});
