// The S3 adapter (botknobs/s3) on Node against the S3 test server the node project's global
// setup starts (test/fixtures/s3-global-setup.ts): the umbrella suites, the S3 specifics and
// faults (test/fixtures/s3-suites.ts). Skipped with the reason when the server cannot start,
// failed under BOTKNOBS_REQUIRE_SERVICES=1.
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { runS3Suites } from "../fixtures/s3-suites.ts";

const s3 = inject("s3");

if ("missing" in s3) {
  if (inject("requireServices"))
    it("S3 test server", () => {
      throw new Error(s3.missing);
    });
  else describe.skip(`S3 (skipped: ${s3.missing})`, () => it("S3", () => {}));
} else runS3Suites({ describe, it, expect, beforeEach, afterEach }, "node", s3);

// botknobs/node's factories know `s3` too (the adapter loads when first used).
describe.skipIf("missing" in s3)("botknobs/node: createRegistryBackend('s3')", () => {
  it("registers and reads a bot in the bucket", async () => {
    const { createRegistryBackend } = await import("../../src/adapters/node/index.ts");
    const { createBucket, S3RVER_KEYS } = await import("../fixtures/s3-buckets.ts");
    const { endpoint } = s3 as { endpoint: string };
    const registry = createRegistryBackend("s3", {
      bucket: await createBucket(endpoint),
      endpoint,
      access_key_id: S3RVER_KEYS.accessKeyId,
      secret_access_key: S3RVER_KEYS.secretAccessKey,
      single_writer: true,
    });
    await registry.initialize();
    await registry.register("node-bot", { model: "m" });
    expect(await registry.getConfig("node-bot")).toEqual({ model: "m" });
  });
});
