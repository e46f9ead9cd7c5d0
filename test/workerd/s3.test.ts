// The S3 adapter (botknobs/s3) inside workerd against the S3 test server the workerd project's global
// setup starts (test/fixtures/s3-global-setup.ts, in Node: reached over loopback): the umbrella suites, the S3 specifics and
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
} else runS3Suites({ describe, it, expect, beforeEach, afterEach }, "workerd", s3);
