// Labels, splits, diffs, the audit trail and the ETags of label-dependent responses through the
// HTTP API inside workerd, over the Worker's own stores (D1 for the registry, R2 for knowledge):
// the cases of test/conformance/http-labels.ts and http-label-etags.ts.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { D1RecordStore, R2BlobStore } from "../../src/adapters/cloudflare/index.ts";
import { createAppOver } from "../../src/server/index.ts";
import { httpLabelEtagCases } from "../conformance/http-label-etags.ts";
import { httpLabelCases, type MakeApp } from "../conformance/http-labels.ts";

beforeAll(async () => {
  await applyD1Migrations(env.REGISTRY_DB, env.TEST_MIGRATIONS);
});

const harness = { describe, it, expect, beforeEach, afterEach };
const make: MakeApp = async ({ auth, historyLimit }) => {
  const served = createAppOver(
    {
      records: new D1RecordStore({ db: env.REGISTRY_DB }),
      blobs: new R2BlobStore({ bucket: env.KNOWLEDGE }),
    },
    { auth, historyLimit },
  );
  await served.registry.initialize();
  await served.registry.clear();
  return { app: served.app, close: () => served.registry.clear() };
};

httpLabelCases(harness, "workerd, D1", make);
httpLabelEtagCases(harness, "workerd, D1", make);
