// PgvectorVectorStore against a real pgvector (issue 17). PGlite — PostgreSQL in WASM with
// pgvector's own code, served over the wire protocol by pglite-socket — always runs (it is a
// devDependency; under BOTKNOBS_REQUIRE_SERVICES=1 its absence fails). The shared PostgreSQL runs
// the same cases when `CREATE EXTENSION vector` works there; where the server has no pgvector,
// initialize() is checked to say "install pgvector: …" and the suites show as a skip saying so.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { PgvectorVectorStore } from "../../src/adapters/postgres/index.ts";
import { AdapterError } from "../../src/index.ts";
import { startPglite } from "../fixtures/pglite.ts";
import {
  PG_URL,
  postgresMissing,
  REQUIRED,
  randomName,
  withPostgres,
} from "../fixtures/postgres.ts";
import { runPgvectorSuites } from "./pgvector-suites.ts";

const h = { describe, it, expect, beforeEach, afterEach };

const pglite = await startPglite();
if (typeof pglite === "string") {
  console.log(`skipped: pgvector on PGlite: ${pglite}`);
  describe("pgvector on PGlite", () => {
    if (REQUIRED)
      it("PGlite is required (BOTKNOBS_REQUIRE_SERVICES=1)", () => {
        throw new Error(pglite);
      });
    else it.skip(`suites (skipped: ${pglite})`, () => {});
  });
} else {
  afterAll(() => pglite.stop());
  runPgvectorSuites(h, `PGlite ${pglite.version.split(" on ")[0]}`, pglite.url);
}

/** Why pgvector cannot be used on the shared server (the adapter's own error), or null. */
async function sharedPgvector(): Promise<string | null> {
  const probe = new PgvectorVectorStore({ connection_string: PG_URL, table: randomName() });
  try {
    await probe.initialize();
    return null;
  } catch (error) {
    if (error instanceof AdapterError && error.message.includes("install pgvector"))
      return error.message;
    throw error;
  } finally {
    await probe.close();
  }
}

const missing = await postgresMissing();
const noVector = missing === null ? await sharedPgvector() : null;
withPostgres(h, missing, "pgvector on the shared PostgreSQL", () => {
  if (noVector === null) {
    runPgvectorSuites(h, "the shared PostgreSQL", PG_URL);
    return;
  }
  console.log(`skipped: pgvector suites on the shared PostgreSQL: ${noVector}`);
  describe("pgvector on the shared PostgreSQL", () => {
    // The PGlite run above is the one that must run; this server cannot, and says how to fix it.
    it.skip(`suites (skipped: ${noVector})`, () => {});
    it("initialize() on a server without the vector extension says what to install", async () => {
      const store = new PgvectorVectorStore({ connection_string: PG_URL, table: randomName() });
      const failed = await store.initialize().then(
        () => null,
        (e: unknown) => e,
      );
      await store.close();
      expect(failed).toBeInstanceOf(AdapterError);
      expect((failed as Error).message).toMatch(
        /^.*install pgvector: the server \(PostgreSQL .*\) has no vector extension: .*CREATE EXTENSION vector/,
      );
    });
  });
});
