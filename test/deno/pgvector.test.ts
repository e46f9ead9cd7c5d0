// pgvector under Deno (issue 17): the PgvectorVectorStore suites (test/node/pgvector-suites.ts)
// against PGlite with pgvector served over the wire protocol (test/fixtures/pglite.ts), started
// in this process. Where PGlite or its socket server cannot start under Deno, a visible skip says
// why (failed under BOTKNOBS_REQUIRE_SERVICES=1).
import { expect } from "expect";
import { withPglite } from "../fixtures/pglite.ts";
import { runPgvectorSuites } from "../node/pgvector-suites.ts";
import { harness } from "./harness.ts";

const h = harness(expect as never);
// PGlite stops in a last case (Deno.test runs the cases in the order they were registered).
let stop: () => Promise<void> = async () => {};
await withPglite(
  h,
  "deno",
  (s) => {
    stop = s;
  },
  (url, label) => runPgvectorSuites(h, label, url),
);
h.describe("pgvector on PGlite (deno)", () => h.it("stops PGlite", () => stop()));
