// The S3 adapter (botknobs/s3) under Bun, against the S3 test server (s3rver, started here in a
// Node child process): the umbrella suites, the S3 specifics and faults (test/fixtures/s3-suites.ts).
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { TestFn } from "../../src/testing/index.ts";
import { withS3Server } from "../fixtures/s3-server.ts";
import { runS3Suites } from "../fixtures/s3-suites.ts";

// Every case a request or more away from a server: Vitest's 60 s, not bun's 5 s (a case that
// timed out would go on writing into the next case's store, through the suite's shared variable).
const withTimeout: TestFn = (name, fn, timeout) => it(name, fn, timeout ?? 60_000);
const h = {
  describe,
  it: Object.assign(withTimeout, { skip: it.skip as TestFn }),
  expect: expect as never,
  beforeEach,
  afterEach,
};
await withS3Server(h, (server) => runS3Suites(h, "bun", server));
