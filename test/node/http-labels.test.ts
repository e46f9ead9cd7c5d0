// Labels, splits, diffs, the audit trail and the ETags of label-dependent responses through the
// HTTP API on Node (createApp over the in-memory registry); the same cases run inside workerd
// over D1 (test/workerd/http-labels.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryBackend } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { httpLabelEtagCases } from "../conformance/http-label-etags.ts";
import { httpLabelCases, type MakeApp } from "../conformance/http-labels.ts";

const harness = { describe, it, expect, beforeEach, afterEach };
const make: MakeApp = async ({ auth, historyLimit }) => ({
  app: createApp({ registry: new InMemoryBackend({ historyLimit }), auth }),
  close: async () => {},
});

httpLabelCases(harness, "node", make);
httpLabelEtagCases(harness, "node", make);
