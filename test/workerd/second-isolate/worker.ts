// A second Worker for the workerd tests (bundled by vitest.config.ts, run by miniflare in its own
// isolate beside the tests' Worker): the HTTP API with its knowledge and search index on the same
// R2 bucket, and a registry of its own in memory.
import { R2BlobStore } from "../../../src/adapters/cloudflare/index.ts";
import type { R2BucketLike } from "../../../src/adapters/r2/types.ts";
import { MemoryRecordStore } from "../../../src/core/registry/memory-record-store.ts";
import { createAppOver, type ServedApp } from "../../../src/server/index.ts";

let served: ServedApp | undefined;

const worker: { fetch(request: Request, env: { KNOWLEDGE: R2BucketLike }): Promise<Response> } = {
  async fetch(request, env) {
    served ??= createAppOver({
      records: new MemoryRecordStore(),
      blobs: new R2BlobStore({ bucket: env.KNOWLEDGE }),
    });
    return served.app.fetch(request);
  },
};

export default worker;
