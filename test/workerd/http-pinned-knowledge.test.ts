// A bot's knowledge pinned with its config, through the HTTP API inside workerd over the
// Worker's own stores (D1 for the registry, R2 for knowledge files and the search index with
// its revisions): the cases of test/conformance/http-pinned-knowledge.ts.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { D1RecordStore, R2BlobStore } from "../../src/adapters/cloudflare/index.ts";
import { createAppOver } from "../../src/server/index.ts";
import { httpPinnedKnowledgeCases } from "../conformance/http-pinned-knowledge.ts";

beforeAll(async () => {
  await applyD1Migrations(env.REGISTRY_DB, env.TEST_MIGRATIONS);
});

httpPinnedKnowledgeCases(
  { describe, it, expect, beforeEach, afterEach },
  "workerd, D1 and R2",
  async ({ keepRevisions }) => {
    const served = createAppOver(
      {
        records: new D1RecordStore({ db: env.REGISTRY_DB }),
        blobs: new R2BlobStore({ bucket: env.KNOWLEDGE }),
      },
      { keepRevisions },
    );
    await served.registry.initialize();
    await served.registry.clear();
    return { app: served.app, close: () => served.registry.clear() };
  },
);
