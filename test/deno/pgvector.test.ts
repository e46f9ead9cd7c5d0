// pgvector under Deno (issue 17): the PgvectorVectorStore suites (test/node/pgvector-suites.ts)
// against PGlite with pgvector served over the wire protocol (test/fixtures/pglite.ts), started
// in this process. Where PGlite or its socket server cannot start under Deno, a visible skip says
// why (failed under BOTKNOBS_REQUIRE_SERVICES=1).
import { expect } from "expect";
import { startPglite } from "../fixtures/pglite.ts";
import { REQUIRED } from "../fixtures/postgres.ts";
import { runPgvectorSuites } from "../node/pgvector-suites.ts";
import { harness } from "./harness.ts";

const h = harness(expect as never);
const pglite = await startPglite().catch(
  (error: Error) => `PGlite did not start under Deno: ${error.message}`,
);
if (typeof pglite === "string") {
  console.log(`skipped: pgvector on PGlite (deno): ${pglite}`);
  if (REQUIRED)
    h.it("PGlite is required (BOTKNOBS_REQUIRE_SERVICES=1)", () => {
      throw new Error(pglite);
    });
  else h.it.skip(`pgvector on PGlite (skipped: ${pglite})`, () => {});
} else {
  runPgvectorSuites(h, `PGlite ${pglite.version.split(" on ")[0]} (deno)`, pglite.url);
  h.describe("pgvector on PGlite (deno): stop", () => h.it("stops PGlite", () => pglite.stop()));
}
