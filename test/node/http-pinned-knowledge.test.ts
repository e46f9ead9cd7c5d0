// A bot's knowledge pinned with its config, through the HTTP API on Node (createAppOver over
// memory stores, the search index persisted in the blob store); the same cases run inside
// workerd over D1 and R2 (test/workerd/http-pinned-knowledge.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryBlobStore, MemoryRecordStore } from "../../src/index.ts";
import { createAppOver } from "../../src/server/index.ts";
import { httpPinnedKnowledgeCases } from "../conformance/http-pinned-knowledge.ts";

httpPinnedKnowledgeCases(
  { describe, it, expect, beforeEach, afterEach },
  "node",
  async ({ keepRevisions }) => {
    const { app } = createAppOver(
      { records: new MemoryRecordStore(), blobs: new MemoryBlobStore() },
      { keepRevisions },
    );
    return { app, close: async () => {} };
  },
);
