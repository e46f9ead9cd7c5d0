/**
 * {@link createFileApp}: the API over a data folder — the registry (with history) in a
 * `FileRecordStore`, the knowledge files and their search index in an `FsBlobStore` — embedded,
 * nothing to install. What `npm start` serves.
 * @module
 */
import { join, resolve } from "node:path";
import type { BlobSearchIndex } from "../../core/knowledge/index/blob-search-index.ts";
import { createAppOver, type ServedApp, type ServedAppOptions } from "../../server/index.ts";
import { FsBlobStore } from "./fs-blob-store.ts";
import { FileRecordStore } from "./fs-record-store.ts";

/** The app over a data folder, with its stores and a clean-up of what a crash left behind. */
export interface FileApp extends ServedApp {
  /** The data folder (absolute). */
  path: string;
  /**
   * Removes what killed processes left (temporary files, dead locks, unreferenced uploads and
   * index segments of deleted knowledge bases) and repairs the copies for other tools. Run it at
   * start-up, before serving.
   */
  sweep(): Promise<{ files: number; objects: number }>;
}

/**
 * The API persisted under `path`: `registry/` (a journal of every bot version) and
 * `knowledge/<domain>/…` (the files, a copy of each at `<domain>/<path>`, and the index under
 * `.botknobs/`).
 * @example
 * const { app, sweep } = createFileApp({ path: "./data" });
 * await sweep();
 * await serveApp(app, { port: 8787 });
 */
export function createFileApp(options: ServedAppOptions & { path: string }): FileApp {
  const { path, ...appOptions } = options;
  const root = resolve(path);
  const blobs = new FsBlobStore({ root: join(root, "knowledge") });
  const served = createAppOver(
    { records: new FileRecordStore({ path: join(root, "registry") }), blobs },
    appOptions,
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
