/**
 * {@link createFileApp}: the API over a data folder — the registry (with history) in a
 * `FileRecordStore`, the knowledge files and their search index in an `FsBlobStore`, events on a
 * `FileEventBus` — embedded, nothing to install. What `npm start` serves.
 * @module
 */
import { join, resolve } from "node:path";
import type { BlobSearchIndex } from "../../core/knowledge/index/blob-search-index.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { createAppOver, type ServedApp, type ServedAppOptions } from "../../server/index.ts";
import { FsBlobStore, type FsBlobStoreOptions } from "./fs-blob-store.ts";
import { FileEventBus } from "./fs-event-bus.ts";
import { FileRecordStore } from "./fs-record-store.ts";

/** The app over a data folder, with its stores and a clean-up of what a crash left behind. */
export interface FileApp extends ServedApp {
  /** The data folder (absolute). */
  path: string;
  /**
   * Removes what killed processes left (temporary files, dead locks, unreferenced uploads and
   * index segments of deleted knowledge bases) and repairs the copies for other tools. Nothing it
   * removes is ever served (a write becomes visible only when its head is replaced, and leftovers
   * are younger than an hour only while a writer may still list them), so it may run while the
   * app serves, as it does when another process on the folder starts: `npm start` runs it in the
   * background once listening. It walks every object: seconds at 20,000 files.
   */
  sweep(): Promise<{ files: number; objects: number }>;
}

/** Options of {@link createFileApp}: the app's, the folder, and what replaces its own stores. */
export interface FileAppOptions extends ServedAppOptions {
  /** The data folder. */
  path: string;
  /** The registry's store instead of the journal under `registry/` (a `SqliteRecordStore`). */
  records?: RecordStore;
  /** The knowledge store's lock instead of its lock files (see `FsBlobStoreOptions.lock`). */
  lock?: FsBlobStoreOptions["lock"];
}

/**
 * The API persisted under `path`: `registry/` (a journal of the bot versions kept, every one
 * unless `historyLimit` says), `knowledge/<domain>/…` (the files, a copy of each at
 * `<domain>/<path>`, and the index under `.botknobs/`) and `events/` (the `FileEventBus` log
 * through which the processes serving one folder hear each other's writes). `records`,
 * `eventBus` and `lock` replace the journal, the event log and the lock files: `npm start` passes
 * SQLite's (`SqliteRecordStore`, `SqliteEventBus`, `SqliteLock`) when it can.
 * @example
 * const { app, sweep } = createFileApp({ path: "./data", historyLimit: 100 });
 * await serveApp(app, { port: 8787 });
 * await sweep();
 */
export function createFileApp(options: FileAppOptions): FileApp {
  const { path, records: given, lock, ...appOptions } = options;
  const root = resolve(path);
  const blobs = new FsBlobStore({ root: join(root, "knowledge"), ...(lock ? { lock } : {}) });
  // The store keeps the limit itself too: at start it prunes bots written with more, and its
  // compaction drops them from the journal.
  const { historyLimit } = appOptions;
  const records =
    given ??
    new FileRecordStore({
      path: join(root, "registry"),
      ...(historyLimit !== undefined ? { historyLimit } : {}),
    });
  const served = createAppOver(
    { records, blobs },
    {
      ...appOptions,
      eventBus: appOptions.eventBus ?? new FileEventBus({ path: join(root, "events") }),
    },
  );
  return {
    ...served,
    path: root,
    async sweep() {
      await blobs.initialize();
      const { files } = await blobs.sweep();
      const index = served.rag.index as BlobSearchIndex;
      const objects = (await served.knowledge.sweep()) + (await index.sweep());
      return { files, objects };
    },
  };
}
