// The Web Worker of browser-ingestion.test.ts: serveIngestion over a knowledge backend and a
// persisted BlobSearchIndex in IndexedDB (the database named by the worker's `name`).
import { IndexedDBBlobStore, serveIngestion } from "../../../src/adapters/browser/index.ts";
import {
  BlobKnowledgeBackend,
  BlobSearchIndex,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../../../src/index.ts";

const dbName = (globalThis as unknown as { name: string }).name;
serveIngestion({
  manager: () => {
    const store = new IndexedDBBlobStore({ dbName });
    return new KnowledgeIngestionManager({
      source: new BlobKnowledgeBackend({ store }),
      destination: new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) }),
    });
  },
});
