// pgvector under Bun (issue 17): the PgvectorVectorStore suites (test/node/pgvector-suites.ts)
// against PGlite with pgvector served over the wire protocol (test/fixtures/pglite.ts), started
// in this process. Where PGlite or its socket server cannot start under Bun, a visible skip says
// why (failed under BOTKNOBS_REQUIRE_SERVICES=1).
import { afterAll, afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { TestFn } from "../../src/testing/index.ts";
import { startPglite } from "../fixtures/pglite.ts";
import { REQUIRED } from "../fixtures/postgres.ts";
import { runPgvectorSuites } from "../node/pgvector-suites.ts";

// Vitest's 60 s per case, not bun's 5 s: PGlite is PostgreSQL in WASM (an HNSW build takes
// seconds), and a case that timed out would go on in PGlite's one session under the next case.
const withTimeout: TestFn = (name, fn, timeout) => it(name, fn, timeout ?? 60_000);
const h = {
  describe,
  it: Object.assign(withTimeout, { skip: it.skip as TestFn }),
  expect: expect as never,
  beforeEach,
  afterEach,
};
const pglite = await startPglite().catch(
  (error: Error) => `PGlite did not start under Bun: ${error.message}`,
);
if (typeof pglite === "string") {
  console.log(`skipped: pgvector on PGlite (bun): ${pglite}`);
  if (REQUIRED)
    h.it("PGlite is required (BOTKNOBS_REQUIRE_SERVICES=1)", () => {
      throw new Error(pglite);
    });
  else h.it.skip(`pgvector on PGlite (skipped: ${pglite})`, () => {});
} else {
  afterAll(() => pglite.stop());
  runPgvectorSuites(h, `PGlite ${pglite.version.split(" on ")[0]} (bun)`, pglite.url);
}
