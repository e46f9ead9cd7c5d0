// pgvector under Bun (issue 17): the PgvectorVectorStore suites (test/node/pgvector-suites.ts)
// against PGlite with pgvector served over the wire protocol (test/fixtures/pglite.ts), started
// in this process. Where PGlite or its socket server cannot start under Bun, a visible skip says
// why (failed under BOTKNOBS_REQUIRE_SERVICES=1).
import { afterAll } from "bun:test";
import { withPglite } from "../fixtures/pglite.ts";
import { runPgvectorSuites } from "../node/pgvector-suites.ts";
import { bunHarness } from "./harness.ts";

// 60 s per case: PGlite is PostgreSQL in WASM (an HNSW build takes seconds).
const h = bunHarness();
await withPglite(h, "bun", afterAll, (url, label) => runPgvectorSuites(h, label, url));
