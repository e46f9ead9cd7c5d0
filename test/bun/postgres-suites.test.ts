// The botknobs/postgres suites under Bun, against the real server (skipped without one).
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { postgresMissing } from "../fixtures/postgres.ts";
import { runPostgresSuites } from "../node/postgres-suites.ts";

runPostgresSuites(
  { describe, it, expect: expect as never, beforeEach, afterEach },
  "bun",
  await postgresMissing(),
);
