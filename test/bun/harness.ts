// The suites' harness under `bun test`, with Vitest's 60 s per case rather than bun's 5 s: the
// suites here are a request or more away from a server each, and a case that timed out would go
// on under the next one (in the suite's shared variables, or a server's one session).
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { TestFn, TestHarness } from "../../src/testing/index.ts";

/** A `TestHarness` over bun:test whose cases time out after 60 s unless told otherwise. */
export function bunHarness(): TestHarness {
  const withTimeout: TestFn = (name, fn, timeout) => it(name, fn, timeout ?? 60_000);
  return {
    describe,
    it: Object.assign(withTimeout, { skip: it.skip as TestFn }),
    expect: expect as never,
    beforeEach,
    afterEach,
  };
}
